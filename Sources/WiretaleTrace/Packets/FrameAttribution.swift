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
        /// When the whole response had been read: data sent after it (a TLS close_notify) is the teardown.
        public var responseCompleteMs: Double? = nil
        /// For a connection reused from an earlier hop: when this hop's request began. Its frames
        /// from then on are this hop's.
        public var fromMs: Double? = nil
    }

    /// A connection attempt that failed (refused, timed out): no socket is left to name its local
    /// port, so its SYN (to the remote) and the answer (from it) are known by the remote alone.
    public struct AttemptKey: Sendable, Equatable {
        public var hop: Int
        public var remote: IPAddress
        public var remotePort: Int
    }

    public var dns: [DNSKey] = []
    public var connections: [ConnectionKey] = []
    public var failedAttempts: [AttemptKey] = []
    /// Next hops whose ARP/ND exchange belongs to step f.
    public var nextHops: [IPAddress] = []

    public init() {}
}

/// Gives every captured frame to the step it belongs to. Which segment opens or closes a
/// connection, and how the handshake and teardown went, is the conversation tracker's word (the
/// frame's `step`, and its report on the connection): nothing about TCP is worked out here.
public enum FrameAttribution {
    /// One of the trace's connections as the tracker saw it: its report, and the frame of each
    /// step of the notes' handshake and teardown (the first frame that was that step).
    public struct Connection: Sendable {
        public var report: TCPConversation
        public var frameOf: [ConnectionStep: Int]
    }

    /// Returns the frame numbers for each (step kind, hop), and the tracked connection per hop.
    public static func assign(_ capture: CapturedTrace, keys: AttributionKeys)
        -> (byStep: [String: [Int]], connections: [Int: Connection])
    {
        var by: [String: [Int]] = [:]
        func add(_ kind: TraceStepKind, _ hop: Int, _ n: Int) { by["\(kind.rawValue)#\(hop)", default: []].append(n) }
        var streams: [Int: Int32] = [:]
        var frameOf: [Int: [ConnectionStep: Int]] = [:]
        var lastDataStep: [Int: TraceStepKind] = [:]
        for f in capture.frames {
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
            case .tcp(let src, let sp, let dst, let dp, _, _, _, let payload):
                // The connection's key for this frame: a connection reused by later hops has one key
                // per hop, each from its request on.
                guard
                    let c = keys.connections.last(where: {
                        (($0.local == src && $0.localPort == sp && $0.remote == dst && $0.remotePort == dp)
                            || ($0.local == dst && $0.localPort == dp && $0.remote == src && $0.remotePort == sp))
                            && ($0.fromMs.map { f.timeMs >= $0 } ?? true)
                    })
                else {
                    // A refused or unanswered attempt: its SYN and the RST (or SYN retransmissions)
                    // belong to step i of its hop.
                    if let a = keys.failedAttempts.first(where: {
                        ($0.remote == dst && $0.remotePort == dp) || ($0.remote == src && $0.remotePort == sp)
                    }) {
                        add(.tcp, a.hop, f.number)
                    }
                    continue
                }
                if f.stream >= 0 { streams[c.hop] = f.stream }
                if f.step != .none, frameOf[c.hop]?[f.step] == nil { frameOf[c.hop, default: [:]][f.step] = f.number }
                let fromClient = src == c.local && sp == c.localPort
                if lastDataStep[c.hop] == .teardown || f.step.isTeardown {
                    // From the first FIN or RST on, everything (ACKs, a TLS close_notify) is the teardown.
                    add(.teardown, c.hop, f.number)
                    lastDataStep[c.hop] = .teardown
                } else if f.step.isHandshake || (payload == 0 && lastDataStep[c.hop] == nil && c.fromMs == nil) {
                    add(.tcp, c.hop, f.number)
                } else if payload == 0 && lastDataStep[c.hop] == nil {
                    add(.httpRequest, c.hop, f.number)  // a reused connection: no handshake of its own
                } else if payload == 0 {
                    add(lastDataStep[c.hop] ?? .tcp, c.hop, f.number)
                } else {
                    let step: TraceStepKind
                    if c.tls, c.tlsDoneMs.map({ f.timeMs <= $0 }) ?? true {
                        step = .tls  // before the handshake ended, or it never did
                    } else if c.responseCompleteMs.map({ f.timeMs > $0 }) ?? false {
                        step = .teardown  // a TLS close_notify, sent once the response was complete
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
        var connections: [Int: Connection] = [:]
        for (hop, stream) in streams {
            if let report = capture.connections.first(where: { $0.stream == Int(stream) }) {
                connections[hop] = Connection(report: report, frameOf: frameOf[hop] ?? [:])
            }
        }
        return (by, connections)
    }
}
