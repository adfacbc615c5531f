/// A UDP flow while it is tracked.
struct UDPFlowState {
    var key: FlowKey
    var stream: Int32
    var clientKeySide: Int
    var toServer = DirectionCounts()
    var toClient = DirectionCounts()
    var firstFrame: Int
    var lastFrame: Int
    var start: Timestamp
    var last: Timestamp
    var lastNs: Int64
    var broadcast = false
    var multicast = false
    var dnsMessages = 0

    func report(end reason: ConversationEnd) -> UDPFlow {
        UDPFlow(
            stream: Int(stream), client: key.endpoint(side: clientKeySide),
            server: key.endpoint(side: 1 - clientKeySide),
            firstFrame: firstFrame, lastFrame: lastFrame, start: start, end: last, clientToServer: toServer,
            serverToClient: toClient, broadcast: broadcast, multicast: multicast, dnsMessages: dnsMessages,
            endReason: reason)
    }
}

/// A DNS query waits for its response under its flow, its ID and the side that asked.
struct DNSKey: Hashable {
    var flow: FlowKey
    var id: UInt16
    var querierSide: UInt8
}

struct DNSPending {
    var id: UInt16
    var client: FlowEndpoint
    var server: FlowEndpoint
    var udpStream: Int
    var queryFrame: Int
    var start: Timestamp
    var queryNs: Int64
    var name: String
    var type: UInt16
    var retries = 0
    /// Sent to a multicast group (mDNS, LLMNR).
    var multicast = false

    var unanswered: DNSTransaction {
        DNSTransaction(
            id: id, client: client, server: server, multicast: multicast, udpStream: udpStream, queryFrame: queryFrame,
            responseFrame: nil, start: start, name: name, type: type, rcode: nil, answers: 0, retries: retries,
            latency: nil)
    }
}

extension ConnectionTracker {
    mutating func trackUDP(
        _ p: borrowing DecodedPacket, frame: Int, time: Timestamp, ns: Int64, wireLength: Int,
        note: inout PacketNote
    ) {
        let u = p.udp
        let (key, fromLow) = FlowKey.make(src: p.ip.src, srcPort: u.srcPort, dst: p.ip.dst, dstPort: u.dstPort)
        let keySide = fromLow ? 0 : 1
        let s: Int32
        if let existing = udpIndex.find(key) {
            s = existing
        } else {
            // Zeek's UDP role guess: the sender is the client unless only its port looks like a server's.
            // A datagram to a group or a broadcast address never makes the group the client.
            let group = p.ip.dst  // read once: `p` is borrowed, and `||` would capture it
            let toGroup = group.isMulticast || group.isLimitedBroadcast
            let flips = !toGroup && Self.isLikelyServerPort(u.srcPort) && !Self.isLikelyServerPort(u.dstPort)
            if udpIndex.count >= max(configuration.maxFlows, 1) { evictUDPAtCap() }
            let state = UDPFlowState(
                key: key, stream: nextUDPStream, clientKeySide: flips ? 1 - keySide : keySide, firstFrame: frame,
                lastFrame: frame, start: time, last: time, lastNs: ns)
            nextUDPStream += 1
            if let f = udpFree.popLast() {
                s = f
                udp[Int(f)] = state
                udpLive[Int(f)] = true
            } else {
                s = Int32(udp.count)
                udp.append(state)
                udpLive.append(true)
            }
            udpIndex.set(key, s)
            note.newStream = true
        }
        let i = Int(s)
        let fromClient = keySide == udp[i].clientKeySide
        let payload = UInt64(max(Int(u.length) - 8, 0))
        if fromClient {
            udp[i].toServer.packets &+= 1
            udp[i].toServer.bytes &+= UInt64(wireLength)
            udp[i].toServer.payloadBytes &+= payload
        } else {
            udp[i].toClient.packets &+= 1
            udp[i].toClient.bytes &+= UInt64(wireLength)
            udp[i].toClient.payloadBytes &+= payload
        }
        udp[i].lastFrame = frame
        udp[i].last = time
        udp[i].lastNs = ns
        let dst = p.ip.dst
        // The link's broadcast address counts too (read without && : `p` is borrowed).
        let broadcastMAC = p.hasLink ? (p.link.hasMACs ? p.link.dst == 0xFFFF_FFFF_FFFF : false) : false
        note.broadcast = dst.isLimitedBroadcast || broadcastMAC
        note.multicast = dst.isMulticast
        if note.broadcast { udp[i].broadcast = true }
        if note.multicast { udp[i].multicast = true }
        note.kind = .udp
        note.stream = udp[i].stream
        note.fromClient = fromClient
    }

    /// A DNS message over UDP, parsed once (`ApplicationRegistry`), after `trackUDP` counted its
    /// datagram: a query waits for its response under its flow, its ID and the side that asked.
    mutating func trackDNS(
        _ msg: DNSMessage, of p: borrowing DecodedPacket, frame: Int, time: Timestamp, note: inout PacketNote
    ) {
        let ns = time.totalNanoseconds
        let (key, fromLow) = FlowKey.make(src: p.ip.src, srcPort: p.udp.srcPort, dst: p.ip.dst, dstPort: p.udp.dstPort)
        let keySide = fromLow ? 0 : 1
        guard let s = udpIndex.find(key) else { return }
        let i = Int(s)
        udp[i].dnsMessages += 1
        let question = msg.questions.first
        if !msg.isResponse {
            let k = DNSKey(flow: key, id: msg.id, querierSide: UInt8(keySide))
            if dnsPending[k] != nil {
                dnsPending[k]!.retries += 1
                return
            }
            if dnsPending.count >= max(configuration.maxFlows, 1) { evictDNSAtCap() }
            dnsPending[k] = DNSPending(
                id: msg.id, client: key.endpoint(side: keySide), server: key.endpoint(side: 1 - keySide),
                udpStream: Int(udp[i].stream), queryFrame: frame, start: time, queryNs: ns, name: question?.name ?? "",
                type: question?.type.rawValue ?? 0, multicast: p.ip.dst.isMulticast)
        } else {
            let k = DNSKey(flow: key, id: msg.id, querierSide: UInt8(1 - keySide))
            var t: DNSTransaction
            if let q = dnsPending.removeValue(forKey: k) {
                t = q.unanswered
                t.latency = ns &- q.queryNs
                note.dnsQueryFrame = q.queryFrame
                note.dnsLatency = ns &- q.queryNs
            } else {
                // A response whose query the capture does not hold. Sent to a group (an mDNS
                // announcement, or an answer to the group): the group is no client. mDNS responses
                // carry no question: the first answer names what they are about (RFC 6762 section 6).
                let toGroup = p.ip.dst.isMulticast
                let about =
                    question.map { ($0.name, $0.type.rawValue) }
                    ?? msg.answers.first.map { ($0.name, $0.type.rawValue) }
                t = DNSTransaction(
                    id: msg.id, client: toGroup ? nil : key.endpoint(side: 1 - keySide),
                    server: key.endpoint(side: keySide),
                    multicast: toGroup, group: toGroup ? key.endpoint(side: 1 - keySide) : nil,
                    udpStream: Int(udp[i].stream), queryFrame: 0, responseFrame: nil, start: time,
                    name: about?.0 ?? "", type: about?.1 ?? 0, rcode: nil, answers: 0, retries: 0, latency: nil)
            }
            t.responseFrame = frame
            t.rcode = UInt8(truncatingIfNeeded: msg.rcode.rawValue)
            t.answers = msg.answers.count  // the records the message holds, not the header's count
            if configuration.reports { queue(.dns(t)) }
        }
    }

    /// The cap is reached: evicts a batch of the longest idle UDP flows.
    mutating func evictUDPAtCap() {
        let batch = Self.evictionBatch(configuration.maxFlows)
        evictionScratch.removeAll(keepingCapacity: true)
        for i in udp.indices where udpLive[i] { evictionScratch.append((0, udp[i].lastNs, Int32(i))) }
        evictionScratch.sort { ($0.1, $0.2) < ($1.1, $1.2) }
        for (_, _, s) in evictionScratch.prefix(batch) {
            evictions.udp += 1
            evictUDP(s, reason: .evicted)
        }
    }

    /// The cap is reached: the oldest queries still waiting are reported unanswered and forgotten.
    mutating func evictDNSAtCap() {
        let batch = Self.evictionBatch(configuration.maxFlows)
        var oldest = dnsPending.map { ($0.value.queryFrame, $0.key) }
        oldest.sort { $0.0 < $1.0 }
        for (_, k) in oldest.prefix(batch) {
            guard let q = dnsPending.removeValue(forKey: k) else { continue }
            evictions.dns += 1
            if configuration.reports { queue(.dns(q.unanswered)) }
        }
    }

    mutating func evictUDP(_ s: Int32, reason: ConversationEnd) {
        let i = Int(s)
        guard udpLive[i] else { return }
        if configuration.reports { queue(.udp(udp[i].report(end: reason))) }
        udpIndex.remove(udp[i].key)
        udpLive[i] = false
        udpFree.append(s)
    }
}
