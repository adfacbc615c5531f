/// Traffic one way: packets, bytes on the wire (frame lengths) and payload bytes.
public struct DirectionCounts: Sendable, Equatable {
    public internal(set) var packets: UInt64 = 0
    public internal(set) var bytes: UInt64 = 0
    public internal(set) var payloadBytes: UInt64 = 0
    public init() {}
}

/// Why the tracker stopped tracking a connection and reported it.
public enum ConversationEnd: UInt8, Sendable {
    /// Closed (both FINs acknowledged, or a RST), then quiet for the closing grace period.
    case closed
    /// A new SYN (another initial sequence number) on the same 4-tuple started a new stream.
    case reused
    /// No packet for the idle timeout.
    case idle
    /// Still open when the capture ended.
    case captureEnded
    /// Forgotten at the tracker's `maxFlows` cap (`ConnectionTracker`), still open.
    case evicted
}

/// tshark's `tcp.completeness` summary of the handshake: `complete` when the SYN (as the stream's
/// first packet), the SYN-ACK and an ACK were all seen.
public enum HandshakeCompleteness: String, Sendable {
    case complete, partial, none
}

/// The handshake compared with the notes' section 1: the real numbers, which checks held, and
/// which deviation happened.
public struct HandshakeReport: Sendable {
    public internal(set) var kind: HandshakeKind
    /// The client's SYN seq (x) and the server's SYN-ACK seq (y), when seen or inferred.
    public internal(set) var clientISN: UInt32?
    public internal(set) var serverISN: UInt32?
    /// The SYN-ACK's ack (the notes: x+1) and the third segment's ack (the notes: y+1), when seen.
    public internal(set) var synAckAck: UInt32?
    public internal(set) var thirdAck: UInt32?
    /// SYNs and SYN-ACKs sent more than once (same ISN).
    public internal(set) var synRetransmissions: Int
    public internal(set) var synAckRetransmissions: Int
    public internal(set) var dataOnSyn: Bool
    /// Wireshark's initial RTT: from the SYN to the first ACK that is not a SYN.
    public internal(set) var rtt: Int64?

    /// ack == x+1 on the SYN-ACK, if both were seen.
    public var synAckAckHolds: Bool? {
        guard let x = clientISN, let a = synAckAck else { return nil }
        return a == x &+ 1
    }

    /// ack == y+1 on the third segment, if both were seen.
    public var thirdAckHolds: Bool? {
        guard let y = serverISN, let a = thirdAck else { return nil }
        return a == y &+ 1
    }
}

/// The teardown compared with the notes' section 2.
public struct TeardownReport: Sendable {
    public internal(set) var kind: TeardownKind
    /// Who sent the first FIN (the notes' A), when any.
    public internal(set) var firstCloserIsClient: Bool?
    /// Who sent the first RST, when any, and whether it came after a finished FIN exchange.
    public internal(set) var rstFromClient: Bool?
    public internal(set) var rstAfterClose: Bool
    /// Payload the other side sent after the first FIN (a half-close), in bytes.
    public internal(set) var halfCloseBytes: UInt64
    /// The sides left in TIME-WAIT (they wait 2MSL, then CLOSED).
    public internal(set) var clientInTimeWait: Bool
    public internal(set) var serverInTimeWait: Bool
}

/// A TCP conversation as `conversations` reports it: tshark's stream and completeness, the
/// notes' handshake, teardown and final states, Wireshark's anomalies, Zeek's conn_state and history.
public struct TCPConversation: Sendable {
    public internal(set) var stream: Int
    public internal(set) var client: FlowEndpoint
    public internal(set) var server: FlowEndpoint
    public internal(set) var firstFrame: Int
    public internal(set) var lastFrame: Int
    public internal(set) var start: Timestamp
    public internal(set) var end: Timestamp
    public internal(set) var clientToServer: DirectionCounts
    public internal(set) var serverToClient: DirectionCounts
    /// tshark's `tcp.completeness` bits (1 SYN, 2 SYN-ACK, 4 ACK, 8 data, 16 FIN, 32 RST).
    public internal(set) var completeness: UInt8
    public internal(set) var handshakeCompleteness: HandshakeCompleteness
    public internal(set) var finSeen: Bool
    public internal(set) var rstSeen: Bool
    public internal(set) var clientState: TCPState
    public internal(set) var serverState: TCPState
    /// The states each side passed through, in order, after corrections: a path of RFC 9293's
    /// diagram (`TCPState.isLegalPath`), starting CLOSED (ESTABLISHED when joined mid-stream).
    public internal(set) var clientStates: StatePath
    public internal(set) var serverStates: StatePath
    public internal(set) var handshake: HandshakeReport
    public internal(set) var teardown: TeardownReport
    public internal(set) var joinedMidStream: Bool
    var connStateCode: StaticString
    var historyLetters: HistoryLetters
    public internal(set) var anomalies: AnomalyCounts
    public internal(set) var endReason: ConversationEnd
    /// What its payload was found to carry (the service, by content) and the reassembly's gaps.
    public internal(set) var streams = StreamFindings()

    public var duration: Int64 { end.totalNanoseconds - start.totalNanoseconds }

    /// Zeek's `conn_state`: S0, S1, SF, REJ, S2, S3, RSTO, RSTR, RSTOS0, RSTRH, SH, SHR or OTH.
    public var connState: String { connStateCode.description }
    /// Zeek's `history` letters (upper case from the client, lower case from the server).
    public var history: String { historyLetters.string }
}

extension TCPConnection {
    func report(end reason: ConversationEnd) -> TCPConversation {
        let clientEnd = key.endpoint(side: clientKeySide)
        let serverEnd = key.endpoint(side: 1 - clientKeySide)
        func counts(_ s: TCPSide) -> DirectionCounts {
            var c = DirectionCounts()
            c.packets = s.packets
            c.bytes = s.bytes
            c.payloadBytes = s.payloadBytes
            return c
        }
        let hsCompleteness: HandshakeCompleteness =
            completeness & 7 == 7 ? .complete : (client.synObserved || server.sentSynAck ? .partial : .none)
        let kind: HandshakeKind
        if facts.simultaneousOpen {
            kind = .simultaneousOpen
        } else if facts.refused {
            kind = .refused
        } else if client.synObserved && server.sentSynAck && facts.thirdSeen {
            kind = .threeWay
        } else if server.sentSynAck && !facts.thirdSeen {
            kind = .synAckUnacknowledged
        } else if client.synObserved && !server.sentSynAck && server.packets == 0 {
            kind = .unanswered
        } else if facts.joinedMidStream {
            kind = .joinedMidStream
        } else {
            kind = .partial
        }
        let handshake = HandshakeReport(
            kind: kind, clientISN: client.synObserved ? client.isn : nil,
            serverISN: server.synObserved ? server.isn : nil,
            synAckAck: server.sentSynAck ? facts.synAckAckField : nil,
            thirdAck: facts.thirdSeen ? facts.thirdAckField : nil,
            synRetransmissions: Int(client.synCount > 1 ? client.synCount - 1 : 0),
            synAckRetransmissions: Int(server.synAckCount > 1 ? server.synAckCount - 1 : 0), dataOnSyn: facts.dataOnSyn,
            rtt: kind == .threeWay && !facts.synOutOfOrder && analysis.initialRTT > 0 ? analysis.initialRTT : nil)
        let bothClosed = client.finSent && server.finSent && client.finAcked && server.finAcked
        let teardownKind: TeardownKind
        let opened = client.path.contains(.established) || server.path.contains(.established)
        if facts.anyRst && !facts.rstAfterClose {
            teardownKind = opened ? .reset : .neverOpened
        } else if bothClosed {
            teardownKind = facts.simultaneousClose ? .simultaneous : (facts.threeSegmentClose ? .threeWay : .fourWay)
        } else if facts.anyFin {
            teardownKind = .incomplete
        } else {
            teardownKind = .none
        }
        let teardown = TeardownReport(
            kind: teardownKind, firstCloserIsClient: facts.firstCloserIsClient, rstFromClient: facts.rstFromClient,
            rstAfterClose: facts.rstAfterClose, halfCloseBytes: client.halfCloseBytes + server.halfCloseBytes,
            clientInTimeWait: client.state == .timeWait, serverInTimeWait: server.state == .timeWait)
        return TCPConversation(
            stream: Int(stream), client: clientEnd, server: serverEnd, firstFrame: firstFrame, lastFrame: lastFrame,
            start: start, end: last, clientToServer: counts(client), serverToClient: counts(server),
            completeness: completeness, handshakeCompleteness: hsCompleteness, finSeen: facts.anyFin,
            rstSeen: facts.anyRst, clientState: client.state, serverState: server.state, clientStates: client.path,
            serverStates: server.path, handshake: handshake,
            teardown: teardown, joinedMidStream: facts.joinedMidStream, connStateCode: zeek.connState,
            historyLetters: zeek.history, anomalies: anomalies, endReason: reason)
    }
}

/// A UDP flow (UDP is connectionless, so a "flow" is the datagrams between two endpoints).
public struct UDPFlow: Sendable {
    public internal(set) var stream: Int
    /// The side that sent first (or, by its port, the likelier client), and the other.
    public internal(set) var client: FlowEndpoint
    public internal(set) var server: FlowEndpoint
    public internal(set) var firstFrame: Int
    public internal(set) var lastFrame: Int
    public internal(set) var start: Timestamp
    public internal(set) var end: Timestamp
    public internal(set) var clientToServer: DirectionCounts
    public internal(set) var serverToClient: DirectionCounts
    /// Some datagram went to a broadcast or multicast address.
    public internal(set) var broadcast: Bool
    public internal(set) var multicast: Bool
    public internal(set) var dnsMessages: Int
    public internal(set) var endReason: ConversationEnd

    /// Zeek's UDP conn_state: SF both ways, S0 only the client sent, SHR only the server.
    public var connState: String {
        clientToServer.packets > 0
            ? (serverToClient.packets > 0 ? "SF" : "S0")
            : (serverToClient.packets > 0 ? "SHR" : "OTH")
    }

    public var duration: Int64 { end.totalNanoseconds - start.totalNanoseconds }
}

/// One DNS query and its response, matched by ID and endpoints (RFC 1035 section 7.3).
public struct DNSTransaction: Sendable {
    public internal(set) var id: UInt16
    /// The querier; nil for a response sent to a multicast group whose query the capture does not
    /// hold (an mDNS announcement): the group is no client.
    public internal(set) var client: FlowEndpoint?
    public internal(set) var server: FlowEndpoint
    /// The query, or a response whose query is not held, went to a multicast group (mDNS, LLMNR):
    /// any host may answer, from another flow (mDNS answers to the group), or none (no host has the
    /// name), so a missing reply is not counted unanswered.
    public internal(set) var multicast = false
    /// For a response with no held query sent to a group: the group it went to.
    public internal(set) var group: FlowEndpoint? = nil
    public internal(set) var udpStream: Int
    /// The query's frame, 0 for a response whose query was not captured.
    public internal(set) var queryFrame: Int
    public internal(set) var responseFrame: Int?
    public internal(set) var start: Timestamp
    /// The first question's name (lower case, no trailing dot) and type.
    public internal(set) var name: String
    public internal(set) var type: UInt16
    /// The response's RCODE (0 NOERROR, 3 NXDOMAIN, ...) and answer count, when answered.
    public internal(set) var rcode: UInt8?
    public internal(set) var answers: Int
    /// Queries sent again with the same ID before the answer.
    public internal(set) var retries: Int
    public internal(set) var latency: Int64?

    public var answered: Bool { responseFrame != nil && queryFrame != 0 }
    /// A unicast query no response was seen for (a multicast one waits for no particular host).
    public var unanswered: Bool { responseFrame == nil && !multicast }
}

/// What the tracker reports as flows end: a finished TCP conversation, a UDP flow, a DNS
/// transaction, an HTTP transaction (request and response) of TCP stream `stream`.
public enum FlowReport: Sendable {
    case tcp(TCPConversation)
    case udp(UDPFlow)
    case dns(DNSTransaction)
    case http(stream: Int, HTTPTransaction)
    /// A MySQL login as it ended (one per connection, and one per COM_CHANGE_USER).
    case mysqlSession(stream: Int, MySQLSession)
    /// A MySQL command and its response.
    case mysqlCommand(stream: Int, MySQLCommand)
    /// A TLS handshake: a ClientHello and what answered it.
    case tls(stream: Int, TLSHandshake)
}

/// Totals over a capture's reports, as `conversations` prints them at the end: how many
/// connections opened with the three-way handshake, closed with FINs or ended by RST, were
/// refused or never answered, how many segments were retransmitted, how DNS went.
public struct FlowTotals: Sendable, Equatable {
    public internal(set) var tcpConversations = 0
    public internal(set) var handshakes = 0
    /// Closed by a FIN exchange (four-way, three-segment or simultaneous).
    public internal(set) var finTeardowns = 0
    /// Opened with a handshake, then ended by a RST.
    public internal(set) var rstEndings = 0
    public internal(set) var synUnanswered = 0
    public internal(set) var refused = 0
    /// Segments Wireshark calls a retransmission (plain, fast or spurious), SYNs sent again included.
    public internal(set) var retransmissions = 0
    /// Of those, SYNs and SYN-ACKs sent again.
    public internal(set) var handshakeRetransmissions = 0
    public internal(set) var udpFlows = 0
    public internal(set) var dnsQueries = 0
    /// Answered with NOERROR; answered with NXDOMAIN; never answered.
    public internal(set) var dnsAnswered = 0
    public internal(set) var dnsNXDomain = 0
    public internal(set) var dnsUnanswered = 0
    /// HTTP transactions (one per request, and per response without one); of them, answered.
    public internal(set) var httpTransactions = 0
    public internal(set) var httpAnswered = 0
    /// MySQL logins and commands read.
    public internal(set) var mysqlSessions = 0
    public internal(set) var mysqlCommands = 0
    /// TLS handshakes read.
    public internal(set) var tlsHandshakes = 0

    public init() {}

    public mutating func add(_ r: FlowReport) {
        switch r {
        case .tcp(let c):
            tcpConversations += 1
            if c.handshake.kind == .threeWay { handshakes += 1 }
            switch c.teardown.kind {
            case .fourWay, .threeWay, .simultaneous: finTeardowns += 1
            case .reset where c.handshake.kind == .threeWay: rstEndings += 1
            default: break
            }
            if c.handshake.kind == .unanswered { synUnanswered += 1 }
            if c.handshake.kind == .refused { refused += 1 }
            retransmissions += c.anomalies.retransmissions
            handshakeRetransmissions += c.handshake.synRetransmissions + c.handshake.synAckRetransmissions
        case .udp:
            udpFlows += 1
        case .dns(let d):
            if d.queryFrame > 0 { dnsQueries += 1 }
            if d.answered && d.rcode == 0 { dnsAnswered += 1 }
            if d.rcode == 3 { dnsNXDomain += 1 }
            if d.unanswered { dnsUnanswered += 1 }
        case .http(_, let t):
            httpTransactions += 1
            if t.status != nil { httpAnswered += 1 }
        case .mysqlSession: mysqlSessions += 1
        case .mysqlCommand: mysqlCommands += 1
        case .tls: tlsHandshakes += 1
        }
    }
}
