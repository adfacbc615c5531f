import WiretaleCore

/// The keys that tie frames to steps: what the trace itself sent.
public struct AttributionKeys: Sendable {
    public struct DNSKey: Sendable, Equatable {
        public var hop: Int
        public var server: IPAddress
        public var localPort: Int
        public var id: UInt16
    }

    public struct ConnectionKey: Sendable, Equatable {
        public var hop: Int
        public var local: IPAddress
        public var localPort: Int
        public var remote: IPAddress
        public var remotePort: Int
        public var tls: Bool
        /// When the TLS handshake ended and the request was written (trace clock), to split the
        /// connection's data segments between the TLS, request and response steps.
        public var tlsDoneMs: Double?
        public var requestWrittenMs: Double?
    }

    public var dns: [DNSKey] = []
    public var connections: [ConnectionKey] = []
    /// Next hops whose ARP/ND exchange belongs to step f.
    public var nextHops: [IPAddress] = []

    public init() {}
}

/// Gives every captured frame to the step it belongs to, and reads the handshake checks of the
/// notes' section 1 (ack = x+1, ack = y+1) off the frames.
public enum FrameAttribution {
    public struct Handshake: Sendable, Equatable {
        public var synFrame: Int
        public var synAckFrame: Int
        public var ackFrame: Int
        public var x: UInt32
        public var y: UInt32
        public var synAckAckIsXPlus1: Bool
        public var ackAckIsYPlus1: Bool
    }

    /// Returns the frame numbers for each (step kind, hop), and the handshakes found per hop.
    public static func assign(_ frames: [TraceFrame], keys: AttributionKeys)
        -> (byStep: [String: [Int]], handshakes: [Int: Handshake])
    {
        var by: [String: [Int]] = [:]
        func add(_ kind: TraceStepKind, _ hop: Int, _ n: Int) { by["\(kind.rawValue)#\(hop)", default: []].append(n) }
        var handshakes: [Int: Handshake] = [:]
        var synSeen: [Int: (Int, UInt32)] = [:]
        var synAckSeen: [Int: (Int, UInt32, UInt32)] = [:]
        var lastDataStep: [Int: TraceStepKind] = [:]
        for f in frames {
            switch f.kind {
            case .arp(let sender, let target, _):
                // A request names the next hop as target; its reply names it as sender.
                if keys.nextHops.contains(target) || keys.nextHops.contains(sender) { add(.neighbour, 0, f.number) }
            case .neighbourDiscovery(let target, _):
                if keys.nextHops.contains(target) { add(.neighbour, 0, f.number) }
            case .dns(let src, let sp, let dst, let dp, let id, _):
                if let k = keys.dns.first(where: {
                    $0.id == id
                        && (($0.server == dst && $0.localPort == sp) || ($0.server == src && $0.localPort == dp))
                }) {
                    add(.dns, k.hop, f.number)
                }
            case .tcp(let src, let sp, let dst, let dp, let flags, let seq, let ack, let payload):
                guard
                    let c = keys.connections.first(where: {
                        ($0.local == src && $0.localPort == sp && $0.remote == dst && $0.remotePort == dp)
                            || ($0.local == dst && $0.localPort == dp && $0.remote == src && $0.remotePort == sp)
                    })
                else { continue }
                let fromClient = src == c.local && sp == c.localPort
                if lastDataStep[c.hop] == .teardown {
                    // After the first FIN, everything (ACKs, a TLS close_notify) is the teardown.
                    add(.teardown, c.hop, f.number)
                } else if flags.contains(.syn) && !flags.contains(.ack) {
                    synSeen[c.hop] = (f.number, seq)
                    add(.tcp, c.hop, f.number)
                } else if flags.contains(.syn) && flags.contains(.ack) {
                    synAckSeen[c.hop] = (f.number, seq, ack)
                    add(.tcp, c.hop, f.number)
                } else if flags.contains(.fin) || flags.contains(.rst) {
                    add(.teardown, c.hop, f.number)
                    lastDataStep[c.hop] = .teardown
                } else if payload == 0 && lastDataStep[c.hop] == nil {
                    if fromClient, handshakes[c.hop] == nil, let (sn, x) = synSeen[c.hop],
                        let (san, y, a1) = synAckSeen[c.hop]
                    {
                        handshakes[c.hop] = Handshake(
                            synFrame: sn, synAckFrame: san, ackFrame: f.number, x: x, y: y,
                            synAckAckIsXPlus1: a1 == x &+ 1, ackAckIsYPlus1: ack == y &+ 1)
                    }
                    add(.tcp, c.hop, f.number)
                } else if payload == 0 {
                    add(lastDataStep[c.hop] ?? .tcp, c.hop, f.number)
                } else {
                    let step: TraceStepKind
                    if c.tls, c.tlsDoneMs.map({ f.timeMs <= $0 }) ?? true {
                        step = .tls  // before the handshake ended, or it never did
                    } else if fromClient {
                        step = .httpRequest
                    } else {
                        step = .httpResponse
                    }
                    add(step, c.hop, f.number)
                    lastDataStep[c.hop] = step
                }
            case .icmpError, .other:
                continue
            }
        }
        return (by, handshakes)
    }
}
