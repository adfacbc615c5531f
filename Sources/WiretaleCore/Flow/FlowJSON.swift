/// `conversations --format json`: one object per line (NDJSON) per TCP conversation, UDP flow and
/// DNS transaction, told apart by `kind`. The keys are a public interface.
extension TCPConversation {
    public func appendJSON(to o: inout OutputBuffer) {
        o.append("{\"kind\":\"tcp\",\"stream\":")
        o.append(stream)
        o.append(",\"client\":")
        o.appendJSONEndpoint(client)
        o.append(",\"server\":")
        o.appendJSONEndpoint(server)
        o.append(",\"handshake\":\"")
        o.append(handshakeCompleteness.rawValue)
        o.append("\",\"handshake_kind\":\"")
        o.append(handshake.kind.code)
        o.append("\",\"teardown\":\"")
        o.append(teardown.kind.code)
        o.append("\",\"fin\":")
        o.append(finSeen ? "true" : "false")
        o.append(",\"rst\":")
        o.append(rstSeen ? "true" : "false")
        o.append(",\"client_state\":\"")
        o.append(clientState.name)
        o.append("\",\"server_state\":\"")
        o.append(serverState.name)
        o.append("\",\"conn_state\":\"")
        o.append(connState)
        o.append("\",\"history\":")
        o.appendJSONString(history)
        o.appendJSONVolumes(clientToServer, serverToClient)
        o.append(",\"payload_client_to_server\":")
        o.append(clientToServer.payloadBytes)
        o.append(",\"payload_server_to_client\":")
        o.append(serverToClient.payloadBytes)
        o.appendJSONSpan(start: start, end: end, duration: duration)
        o.append(",\"rtt_ms\":")
        if let rtt = handshake.rtt {
            o.appendDecimal(rtt, scale: 1_000_000, digits: 3)
        } else {
            o.append("null")
        }
        o.append(",\"first_frame\":")
        o.append(firstFrame)
        o.append(",\"last_frame\":")
        o.append(lastFrame)
        o.append(",\"completeness\":")
        o.append(completeness)
        o.append(",\"joined_mid_stream\":")
        o.append(joinedMidStream ? "true" : "false")
        o.append(",\"isn_client\":")
        o.appendJSONOptional(handshake.clientISN)
        o.append(",\"isn_server\":")
        o.appendJSONOptional(handshake.serverISN)
        o.append(",\"synack_ack_is_x_plus_1\":")
        o.appendJSONOptional(handshake.synAckAckHolds)
        o.append(",\"ack_is_y_plus_1\":")
        o.appendJSONOptional(handshake.thirdAckHolds)
        o.append(",\"syn_retransmissions\":")
        o.append(handshake.synRetransmissions)
        o.append(",\"data_on_syn\":")
        o.append(handshake.dataOnSyn ? "true" : "false")
        o.append(",\"first_fin\":")
        o.appendJSONSide(teardown.firstCloserIsClient)
        o.append(",\"rst_from\":")
        o.appendJSONSide(teardown.rstFromClient)
        o.append(",\"half_close_bytes\":")
        o.append(teardown.halfCloseBytes)
        o.append(",\"time_wait\":[")
        if teardown.clientInTimeWait { o.append("\"client\"") }
        if teardown.serverInTimeWait { o.append(teardown.clientInTimeWait ? ",\"server\"" : "\"server\"") }
        o.append("],\"anomalies\":{")
        var first = true
        for i in 0..<TCPAnomalies.kindCount where anomalies[i] > 0 {
            if !first { o.append(byte: UInt8(ascii: ",")) }
            first = false
            o.append(byte: UInt8(ascii: "\""))
            o.append(TCPAnomalies.names[i].json)
            o.append("\":")
            o.append(anomalies[i])
        }
        o.append("},\"end\":\"")
        o.append(endReason.code)
        o.append("\"}\n")
    }
}

extension UDPFlow {
    public func appendJSON(to o: inout OutputBuffer) {
        o.append("{\"kind\":\"udp\",\"udp_stream\":")
        o.append(stream)
        o.append(",\"client\":")
        o.appendJSONEndpoint(client)
        o.append(",\"server\":")
        o.appendJSONEndpoint(server)
        o.appendJSONVolumes(clientToServer, serverToClient)
        o.appendJSONSpan(start: start, end: end, duration: duration)
        o.append(",\"broadcast\":")
        o.append(broadcast ? "true" : "false")
        o.append(",\"multicast\":")
        o.append(multicast ? "true" : "false")
        o.append(",\"conn_state\":\"")
        o.append(connState)
        o.append("\",\"dns_messages\":")
        o.append(dnsMessages)
        o.append(",\"first_frame\":")
        o.append(firstFrame)
        o.append(",\"last_frame\":")
        o.append(lastFrame)
        o.append("}\n")
    }
}

extension DNSTransaction {
    public func appendJSON(to o: inout OutputBuffer) {
        o.append("{\"kind\":\"dns\",\"id\":")
        o.append(id)
        o.append(",\"client\":")
        o.appendJSONEndpoint(client)
        o.append(",\"server\":")
        o.appendJSONEndpoint(server)
        o.append(",\"udp_stream\":")
        o.append(udpStream)
        o.append(",\"name\":")
        o.appendJSONString(name)
        o.append(",\"type\":\"")
        o.append(DNSRecordType(rawValue: type).name)
        o.append("\",\"answered\":")
        o.append(answered ? "true" : "false")
        o.append(",\"rcode\":")
        if let r = rcode {
            o.append(byte: UInt8(ascii: "\""))
            o.append(DNSRCode(rawValue: UInt16(r)).name)
            o.append(byte: UInt8(ascii: "\""))
        } else {
            o.append("null")
        }
        o.append(",\"answers\":")
        o.append(answers)
        o.append(",\"latency_ms\":")
        if let l = latency {
            o.appendDecimal(l, scale: 1_000_000, digits: 3)
        } else {
            o.append("null")
        }
        o.append(",\"retries\":")
        o.append(retries)
        o.append(",\"query_frame\":")
        if queryFrame > 0 { o.append(queryFrame) } else { o.append("null") }
        o.append(",\"response_frame\":")
        if let r = responseFrame { o.append(r) } else { o.append("null") }
        o.append(byte: UInt8(ascii: ","))
        o.appendJSONTime("start", start)
        o.append("}\n")
    }
}

extension OutputBuffer {
    /// The packet and byte counts each way, as TCP conversations and UDP flows both report them.
    mutating func appendJSONVolumes(_ clientToServer: DirectionCounts, _ serverToClient: DirectionCounts) {
        append(",\"packets_client_to_server\":")
        append(clientToServer.packets)
        append(",\"packets_server_to_client\":")
        append(serverToClient.packets)
        append(",\"bytes_client_to_server\":")
        append(clientToServer.bytes)
        append(",\"bytes_server_to_client\":")
        append(serverToClient.bytes)
    }

    /// `"start"` (RFC 3339) and `"duration"` in seconds; with a time out of range, `"start"` is
    /// null (and flagged) or `"duration"` is null, never a wrapped value.
    mutating func appendJSONSpan(start: Timestamp, end: Timestamp, duration: Int64) {
        append(byte: UInt8(ascii: ","))
        appendJSONTime("start", start)
        append(",\"duration\":")
        if start.isInRange && end.isInRange {
            appendDecimal(duration, scale: 1_000_000_000, digits: 6)
        } else {
            append("null")
        }
    }

    /// `"ip:port"`, IPv6 as `"[addr]:port"`.
    mutating func appendJSONEndpoint(_ e: FlowEndpoint) {
        append(byte: UInt8(ascii: "\""))
        e.appendText(to: &bytes)
        append(byte: UInt8(ascii: "\""))
    }

    mutating func appendJSONOptional(_ v: UInt32?) {
        if let v { append(v) } else { append("null") }
    }

    mutating func appendJSONOptional(_ v: Bool?) {
        if let v { append(v ? "true" : "false") } else { append("null") }
    }

    /// `"client"`, `"server"` or `null`.
    mutating func appendJSONSide(_ isClient: Bool?) {
        if let c = isClient { append(c ? "\"client\"" : "\"server\"") } else { append("null") }
    }

    /// `v / scale` in decimal with `digits` fraction digits (truncated): durations and RTTs
    /// without floating point.
    mutating func appendDecimal(_ v: Int64, scale: Int64, digits: Int) {
        if v < 0 { append(byte: UInt8(ascii: "-")) }
        let m = v.magnitude  // Int64.min has no positive Int64
        let s = UInt64(scale)
        append(m / s)
        guard digits > 0 else { return }
        append(byte: UInt8(ascii: "."))
        var unit: UInt64 = 1
        for _ in 0..<digits { unit &*= 10 }
        let frac = (m % s).multipliedFullWidth(by: unit)
        append(s.dividingFullWidth(frac).quotient, width: digits)
    }
}

extension FlowEvictions {
    /// `"max_flows"` and the `"evicted_tcp"`, `"evicted_udp"`, `"evicted_dns"` counts, each after a comma.
    public func appendJSONKeys(maxFlows: Int, to o: inout OutputBuffer) {
        o.append(",\"max_flows\":")
        o.append(maxFlows)
        o.append(",\"evicted_tcp\":")
        o.append(tcp)
        o.append(",\"evicted_udp\":")
        o.append(udp)
        o.append(",\"evicted_dns\":")
        o.append(dns)
    }
}

extension ConversationEnd {
    public var code: StaticString {
        switch self {
        case .closed: "closed"
        case .reused: "reused"
        case .idle: "idle"
        case .captureEnded: "capture-ended"
        case .evicted: "evicted"
        }
    }
}
