import Foundation
import Testing

@testable import WiretaleCore

/// Each side's states, as `conversations` reports them (`client_states`, `server_states`), are a
/// path of RFC 9293's diagram, and the per-packet transitions `read` shows replay to the same path.
@Suite("State paths: only what RFC 9293 allows")
struct FlowStatePathTests {
    typealias S = TCPState

    static func names(_ p: StatePath) -> [String] { p.map(\.description) }

    /// Replays the notes' transitions of `stream` for one side: a move appends, a correction goes
    /// back to the state it names. Starts as the report's path does.
    static func replay(_ notes: [PacketNote], stream: Int32, client: Bool, start: TCPState) -> [TCPState] {
        var path = [start]
        for n in notes where n.kind == .tcp && n.stream == stream {
            for t in n.transitions where t.client == client {
                if t.correction {
                    while let last = path.last, last != t.to, path.count > 1 { path.removeLast() }
                } else {
                    path.append(t.to)
                }
            }
        }
        return path
    }

    /// Every conversation's paths are legal and equal what its notes replay to.
    static func checkAll(_ notes: [PacketNote], _ reports: [FlowReport], name: String) {
        for case .tcp(let c) in reports {
            let start: TCPState = c.joinedMidStream ? .established : .closed
            #expect(S.isLegalPath(c.clientStates), "\(name) stream \(c.stream) client \(names(c.clientStates))")
            #expect(S.isLegalPath(c.serverStates), "\(name) stream \(c.stream) server \(names(c.serverStates))")
            let stream = Int32(c.stream)
            #expect(Array(c.clientStates) == replay(notes, stream: stream, client: true, start: start), "\(name)")
            #expect(Array(c.serverStates) == replay(notes, stream: stream, client: false, start: start), "\(name)")
            #expect(c.clientStates.last == c.clientState && c.serverStates.last == c.serverState, "\(name)")
        }
    }

    @Test("the legality check follows figure 5 plus any state to CLOSED")
    func legality() {
        #expect(S.isLegalPath([S.closed, .synSent, .established, .finWait1, .closing, .timeWait]))
        #expect(S.isLegalPath([S.closed, .listen, .synReceived, .established, .closeWait, .lastAck, .closed]))
        #expect(S.isLegalPath([S.established, .finWait1, .finWait2, .timeWait, .closed]))
        #expect(S.isLegalPath([S.closed, .synSent, .synReceived, .established, .closed]))
        #expect(!S.isLegalPath([S.closed, .listen, .synReceived, .established, .closeWait, .closing]))
        #expect(!S.isLegalPath([S.closed, .established]))
        #expect(!S.isLegalPath([S.established, .finWait1, .timeWait]))
        #expect(!S.isLegalPath([S.closeWait]))
        #expect(!S.isLegalPath([TCPState]()))
        // Every pair is decided the same way the table says: CLOSED is always reachable.
        for s in S.allCases { #expect(s.allows(.closed)) }
        #expect(!S.timeWait.allows(.established) && !S.closeWait.allows(.closing))
    }

    @Test("the tracker's guard: from any state to any other, the shortest walk of the diagram is legal")
    func everyStateReachesEveryOtherByALegalWalk() {
        for a in TCPState.allCases {
            for b in TCPState.allCases where a != b {
                let walk = [a] + a.route(to: b) + [b]
                #expect(zip(walk, walk.dropFirst()).allSatisfy { $0.allows($1) }, "\(a) → \(b): \(walk)")
                if a.allows(b) { #expect(walk.count == 2) }
            }
        }
        #expect(TCPState.established.route(to: .timeWait) == [.finWait1, .finWait2])
        var side = TCPSide(isClient: false)
        side.state = .established
        side.path = StatePath(.established)
        var note = PacketNote()
        TCPConnection.setState(&side, .timeWait, &note)
        #expect(Array(side.path) == [.established, .finWait1, .finWait2, .timeWait])
        #expect(TCPState.isLegalPath(side.path))
    }

    @Test("every TCP conversation of Captures/ has legal paths that the per-packet notes replay")
    func everyCapture() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: flowCaptures).filter { $0.hasSuffix(".pcap") }
        #expect(names.count >= 10)
        var conversations = 0
        for name in names.sorted() {
            let t = try TrackedCapture(name)
            Self.checkAll(t.notes, t.reports, name: name)
            conversations += t.reports.filter { if case .tcp = $0 { true } else { false } }.count
        }
        #expect(conversations > 0)
    }

    @Test("tcp-simultaneous-close.pcap: the server's FIN (ack=1) proves it had not got the client's")
    func crossingFinsCapture() throws {
        let t = try TrackedCapture("tcp-simultaneous-close.pcap")
        // The SYN is taken to arrive when captured: the server listens and receives it on its row.
        #expect(t.notes[0].changes == ["client CLOSED→SYN-SENT", "server CLOSED→LISTEN", "server LISTEN→SYN-RCVD"])
        #expect(t.notes[1].changes == ["client SYN-SENT→ESTABLISHED"])
        #expect(t.notes[3].changes == ["client ESTABLISHED→FIN-WAIT-1", "server ESTABLISHED→CLOSE-WAIT"])
        let n = t.notes[4]
        #expect(n.corrections == .finsCrossed)
        #expect(
            n.transitions[0].correction && n.transitions[0].from == .closeWait && n.transitions[0].to == .established)
        #expect(
            n.changes == [
                "server CLOSE-WAIT→ESTABLISHED", "server ESTABLISHED→FIN-WAIT-1", "server FIN-WAIT-1→CLOSING",
                "client FIN-WAIT-1→CLOSING",
            ])
        #expect(n.remarks().contains("corrected to ESTABLISHED → FIN-WAIT-1 → CLOSING"))
        let c = try #require(t.conversation)
        #expect(
            Self.names(c.clientStates) == ["CLOSED", "SYN-SENT", "ESTABLISHED", "FIN-WAIT-1", "CLOSING", "TIME-WAIT"])
        #expect(
            Self.names(c.serverStates) == [
                "CLOSED", "LISTEN", "SYN-RCVD", "ESTABLISHED", "FIN-WAIT-1", "CLOSING", "TIME-WAIT",
            ])
        #expect(c.teardown.kind == .simultaneous)
    }

    @Test("crossing FINs built by hand: corrected where the second FIN shows it")
    func crossingFins() throws {
        var h = FlowHarness()
        h.handshake()
        h.send(.client, [.fin, .ack], seq: 1001, ack: 5001)
        let n = h.send(.server, [.fin, .ack], seq: 5001, ack: 1001)
        #expect(n.step == .simultaneousClose && n.corrections == .finsCrossed)
        h.send(.client, .ack, seq: 1002, ack: 5002)
        h.send(.server, .ack, seq: 5002, ack: 1002)
        let only = h.onlyConversation()
        let c = try #require(only)
        Self.checkAll(h.notes, h.reports, name: "crossing")
        #expect(c.clientStates.last == .timeWait && c.serverStates.last == .timeWait)
        #expect(Array(c.serverStates).contains(.closing) && !Array(c.serverStates).contains(.closeWait))
    }

    @Test("three-segment close: FIN-WAIT-1 → FIN-WAIT-2 → TIME-WAIT on the FIN+ACK, no correction")
    func threeSegmentClose() throws {
        var h = FlowHarness()
        h.handshake()
        h.send(.client, [.fin, .ack], seq: 1001, ack: 5001)
        let n = h.send(.server, [.fin, .ack], seq: 5001, ack: 1002)
        #expect(n.step == .teardown2and3 && n.corrections.isEmpty)
        #expect(
            n.changes == ["client FIN-WAIT-1→FIN-WAIT-2", "server CLOSE-WAIT→LAST-ACK", "client FIN-WAIT-2→TIME-WAIT"])
        h.send(.client, .ack, seq: 1002, ack: 5002)
        let only = h.onlyConversation()
        let c = try #require(only)
        Self.checkAll(h.notes, h.reports, name: "three-segment")
        #expect(
            Self.names(c.serverStates) == [
                "CLOSED", "LISTEN", "SYN-RCVD", "ESTABLISHED", "CLOSE-WAIT", "LAST-ACK", "CLOSED",
            ])
        #expect(c.teardown.kind == .threeWay)
    }

    @Test("refused: the server never listened, it stays CLOSED, and nothing was aborted")
    func refused() throws {
        var h = FlowHarness()
        h.send(.client, .syn, seq: 1000)
        let n = h.send(.server, [.rst, .ack], seq: 0, ack: 1001)
        #expect(n.step == .refused && n.corrections == .neverListened)
        let only = h.onlyConversation()
        let c = try #require(only)
        Self.checkAll(h.notes, h.reports, name: "refused")
        #expect(Self.names(c.serverStates) == ["CLOSED"])
        #expect(Self.names(c.clientStates) == ["CLOSED", "SYN-SENT", "CLOSED"])
        #expect(c.handshake.kind == .refused && c.teardown.kind == .neverOpened)
        #expect(c.teardown.kind.label(.en).description == "never opened")
    }

    @Test("a RST from SYN-SENT answers an unacceptable ACK: not an abort, the side stays SYN-SENT")
    func synSentRst() throws {
        var h = FlowHarness()
        h.send(.client, .syn, seq: 0)
        let ack = h.send(.server, .ack, seq: 1, ack: 0)
        #expect(ack.corrections == .synNotAccepted)
        let rst = h.send(.client, .rst, seq: 0)
        #expect(rst.step == .rstUnacceptableAck && rst.transitions.isEmpty)
        #expect(rst.remarks().contains("unacceptable ACK"))
        let only = h.onlyConversation()
        let c = try #require(only)
        Self.checkAll(h.notes, h.reports, name: "syn-sent rst")
        #expect(Self.names(c.clientStates) == ["CLOSED", "SYN-SENT"])
        #expect(Self.names(c.serverStates) == ["CLOSED"])
        #expect(c.teardown.kind == .neverOpened)
        // The SYN was answered, if not by a SYN+ACK: not "SYN unanswered".
        #expect(c.handshake.kind == .partial)
    }

    @Test("a SYN captured after its SYN+ACK is the original, not a retransmission")
    func outOfOrderSyn() throws {
        var h = FlowHarness()
        h.send(.server, [.syn, .ack], seq: 5000, ack: 1001)
        let syn = h.send(.client, .syn, seq: 1000)
        #expect(syn.step == .handshake1 && syn.corrections == .synOutOfOrder)
        h.send(.client, .ack, seq: 1001, ack: 5001)
        let only = h.onlyConversation()
        let c = try #require(only)
        Self.checkAll(h.notes, h.reports, name: "out-of-order")
        #expect(c.handshake.synRetransmissions == 0)
        #expect(Self.names(c.clientStates) == ["CLOSED", "SYN-SENT", "ESTABLISHED"])
        #expect(Self.names(c.serverStates) == ["CLOSED", "LISTEN", "SYN-RCVD", "ESTABLISHED"])
    }

    @Test("joined mid-stream: the paths start ESTABLISHED, with no transition out of CLOSED")
    func midStream() throws {
        var h = FlowHarness()
        let first = h.send(.client, .ack, seq: 1, ack: 1, len: 10)
        #expect(first.transitions.isEmpty && first.joinedMidStream)
        h.send(.server, [.fin, .ack], seq: 1, ack: 11)
        h.send(.client, [.fin, .ack], seq: 11, ack: 2)
        h.send(.server, .ack, seq: 2, ack: 12)
        let only = h.onlyConversation()
        let c = try #require(only)
        Self.checkAll(h.notes, h.reports, name: "mid-stream")
        #expect(Self.names(c.serverStates) == ["ESTABLISHED", "FIN-WAIT-1", "FIN-WAIT-2", "TIME-WAIT"])
        #expect(Self.names(c.clientStates) == ["ESTABLISHED", "CLOSE-WAIT", "LAST-ACK", "CLOSED"])
    }

    @Test("a RST after the close: TIME-WAIT to CLOSED, legal")
    func rstAfterClose() throws {
        var h = FlowHarness()
        h.handshake()
        h.send(.client, [.fin, .ack], seq: 1001, ack: 5001)
        h.send(.server, .ack, seq: 5001, ack: 1002)
        h.send(.server, [.fin, .ack], seq: 5001, ack: 1002)
        h.send(.client, .ack, seq: 1002, ack: 5002)
        h.send(.client, .rst, seq: 1002)
        let only = h.onlyConversation()
        let c = try #require(only)
        Self.checkAll(h.notes, h.reports, name: "rst after close")
        #expect(c.teardown.rstAfterClose && c.teardown.kind == .fourWay)
        #expect(Self.names(c.clientStates).suffix(2) == ["TIME-WAIT", "CLOSED"])
    }

    @Test("simultaneous open: the second SYN's sender had not received the first, corrected to SYN-SENT")
    func simultaneousOpen() throws {
        var h = FlowHarness()
        h.send(.client, .syn, seq: 1000)
        let n = h.send(.server, .syn, seq: 5000)
        #expect(n.step == .simultaneousOpen && n.corrections == .sentOwnSyn)
        h.send(.client, [.syn, .ack], seq: 1000, ack: 5001)
        h.send(.server, [.syn, .ack], seq: 5000, ack: 1001)
        let only = h.onlyConversation()
        let c = try #require(only)
        Self.checkAll(h.notes, h.reports, name: "simultaneous open")
        #expect(Self.names(c.serverStates) == ["CLOSED", "SYN-SENT", "SYN-RCVD", "ESTABLISHED"])
        #expect(Self.names(c.clientStates) == ["CLOSED", "SYN-SENT", "SYN-RCVD", "ESTABLISHED"])
    }

    @Test("random segments between two ends: every path the tracker reports is still legal")
    func randomSegments() {
        // SplitMix64, seeded: the same sequences every run.
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        let flags: [TCPFlags] = [.syn, [.syn, .ack], .ack, [.fin, .ack], .fin, .rst, [.rst, .ack], [.psh, .ack]]
        // Numbers near both ISNs, so that acknowledgments often match what the tracker checks.
        let numbers: [UInt32] = [0, 1, 999, 1000, 1001, 1002, 1011, 4999, 5000, 5001, 5002, 5011]
        var conversations = 0
        for _ in 0..<400 {
            var h = FlowHarness()
            for _ in 0..<(2 + Int(next() % 10)) {
                let f = flags[Int(next() % UInt64(flags.count))]
                let peer: FlowHarness.Peer = next() % 2 == 0 ? .client : .server
                let len = f.contains(.psh) ? 10 : 0
                h.send(
                    peer, f, seq: numbers[Int(next() % UInt64(numbers.count))],
                    ack: numbers[Int(next() % UInt64(numbers.count))], len: len)
            }
            h.finish()
            Self.checkAll(h.notes, h.reports, name: "random")
            conversations += h.conversations.count
        }
        #expect(conversations >= 400)
    }

    @Test("read's JSON: notes with step, transitions and remarks; tcp analysis and relative numbers")
    func packetJSON() throws {
        var h = FlowHarness()
        h.handshake()
        h.send(.client, [.fin, .ack], seq: 1001, ack: 5001)
        let p = FlowHarness.segment(from: h.server, to: h.client, [.fin, .ack], seq: 5001, ack: 1001)
        let n = h.feed(p)
        var o = OutputBuffer(fd: -1)
        PacketJSON.render(
            FrameInfo(number: 5, timestamp: FlowHarness.time(h.nanos), originalLength: 54, capturedLength: 54),
            p, application: nil, note: n, to: &o)
        let text = String(decoding: o.bytes, as: UTF8.self)
        #expect(text.contains(#""rel_seq":1,"rel_ack":1,"analysis":[]"#))
        #expect(
            text.contains(
                #""notes":{"step":"simultaneous-close","transitions":[{"side":"server","from":"CLOSE-WAIT","to":"ESTABLISHED","correction":true}"#
            ))
        #expect(text.contains(#""remarks":["fins-crossed"]"#))
        let only = h.onlyConversation()
        let c = try #require(only)
        var j = OutputBuffer(fd: -1)
        c.appendJSON(to: &j)
        let conv = String(decoding: j.bytes, as: UTF8.self)
        #expect(conv.contains(#""client_states":["CLOSED","SYN-SENT","ESTABLISHED","FIN-WAIT-1","CLOSING"]"#))
    }
}
