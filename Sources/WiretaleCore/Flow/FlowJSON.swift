/// `conversations --format json`: one object per line (NDJSON) per TCP conversation, UDP flow and
/// DNS transaction, told apart by `kind`. The keys are a public interface.
extension TCPConversation {
    public func appendJSON(to o: inout OutputBuffer) {
        o.beginObject()
        o.field("kind", "tcp" as StaticString)
        o.field("stream", stream)
        o.field("client", client)
        o.field("server", server)
        o.field("handshake", handshakeCompleteness.rawValue)
        o.field("handshake_kind", handshake.kind.code)
        o.field("teardown", teardown.kind.code)
        o.field("fin", finSeen)
        o.field("rst", rstSeen)
        o.field("client_state", clientState.name)
        o.field("server_state", serverState.name)
        o.beginArray("client_states")
        for st in clientStates { o.value(st.name) }
        o.endArray()
        o.beginArray("server_states")
        for st in serverStates { o.value(st.name) }
        o.endArray()
        o.field("conn_state", connStateCode)
        o.field("history", history)
        o.field("service", streams.service == .none ? nil : streams.service.name.description)
        if let b = streams.became { o.field("service_became", b) }
        if let t = streams.tunnel { o.field("tunnel", t.name) }
        if streams.gapBytes > 0 { o.field("stream_gap_bytes", streams.gapBytes) }
        if streams.capped { o.field("stream_capped", true) }
        o.appendJSONVolumes(clientToServer, serverToClient)
        o.field("payload_client_to_server", clientToServer.payloadBytes)
        o.field("payload_server_to_client", serverToClient.payloadBytes)
        o.appendJSONSpan(start: start, end: end, duration: duration)
        o.field("rtt_ms", milliseconds: handshake.rtt)
        o.field("first_frame", firstFrame)
        o.field("last_frame", lastFrame)
        o.field("completeness", Int(completeness))
        o.field("joined_mid_stream", joinedMidStream)
        o.field("isn_client", handshake.clientISN.map(UInt64.init))
        o.field("isn_server", handshake.serverISN.map(UInt64.init))
        o.field("synack_ack_is_x_plus_1", handshake.synAckAckHolds)
        o.field("ack_is_y_plus_1", handshake.thirdAckHolds)
        o.field("syn_retransmissions", handshake.synRetransmissions)
        o.field("data_on_syn", handshake.dataOnSyn)
        o.field("first_fin", side: teardown.firstCloserIsClient)
        o.field("rst_from", side: teardown.rstFromClient)
        o.field("half_close_bytes", teardown.halfCloseBytes)
        o.beginArray("time_wait")
        if teardown.clientInTimeWait { o.value("client" as StaticString) }
        if teardown.serverInTimeWait { o.value("server" as StaticString) }
        o.endArray()
        o.beginObject("anomalies")
        for i in 0..<TCPAnomalies.kindCount where anomalies[i] > 0 {
            o.field(TCPAnomalies.names[i].json, anomalies[i])
        }
        o.endObject()
        o.field("end", endReason.code)
        o.endObject()
        o.endRecord()
    }
}

extension UDPFlow {
    public func appendJSON(to o: inout OutputBuffer) {
        o.beginObject()
        o.field("kind", "udp" as StaticString)
        o.field("udp_stream", stream)
        o.field("client", client)
        o.field("server", server)
        o.appendJSONVolumes(clientToServer, serverToClient)
        o.appendJSONSpan(start: start, end: end, duration: duration)
        o.field("broadcast", broadcast)
        o.field("multicast", multicast)
        o.field("conn_state", connState)
        o.field("dns_messages", dnsMessages)
        o.field("first_frame", firstFrame)
        o.field("last_frame", lastFrame)
        o.endObject()
        o.endRecord()
    }
}

extension DNSTransaction {
    public func appendJSON(to o: inout OutputBuffer) {
        o.beginObject()
        o.field("kind", "dns" as StaticString)
        o.field("id", Int(id))
        o.key("client")
        if let client { o.value(client) } else { o.nullValue() }
        o.field("server", server)
        o.field("multicast", multicast)
        if let group { o.field("group", group) }
        o.field("udp_stream", udpStream)
        o.field("name", name)
        o.field("type", DNSRecordType(rawValue: type).name)
        o.field("answered", answered)
        o.key("rcode")
        if let r = rcode { o.value(DNSRCode(rawValue: UInt16(r)).name) } else { o.nullValue() }
        o.field("answers", answers)
        o.field("latency_ms", milliseconds: latency)
        o.field("retries", retries)
        o.field("query_frame", queryFrame > 0 ? Optional(queryFrame) : nil)
        o.field("response_frame", responseFrame)
        o.field("start", start)
        o.endObject()
        o.endRecord()
    }
}

extension OutputBuffer {
    /// The packet and byte counts each way, as TCP conversations and UDP flows both report them.
    mutating func appendJSONVolumes(_ clientToServer: DirectionCounts, _ serverToClient: DirectionCounts) {
        field("packets_client_to_server", clientToServer.packets)
        field("packets_server_to_client", serverToClient.packets)
        field("bytes_client_to_server", clientToServer.bytes)
        field("bytes_server_to_client", serverToClient.bytes)
    }

    /// `"start"` (RFC 3339) and `"duration"` in seconds; with a time out of range, `"start"` is
    /// null (and flagged) or `"duration"` is null, never a wrapped value.
    mutating func appendJSONSpan(start: Timestamp, end: Timestamp, duration: Int64) {
        field("start", start)
        key("duration")
        if start.isInRange && end.isInRange {
            value(decimal: duration, scale: 1_000_000_000, digits: 6)
        } else {
            nullValue()
        }
    }

    /// `"key":"ip:port"`, IPv6 as `"[addr]:port"`.
    mutating func field(_ k: StaticString, _ e: FlowEndpoint) {
        key(k)
        value(e)
    }

    /// An endpoint as a JSON string: `"ip:port"`, IPv6 as `"[addr]:port"`.
    mutating func value(_ e: FlowEndpoint) {
        jsonSeparate()
        bytes.append(UInt8(ascii: "\""))
        e.appendText(to: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    /// `"key":<ns as milliseconds, three decimals>`, or null.
    mutating func field(_ k: StaticString, milliseconds ns: Int64?) {
        key(k)
        if let ns { value(decimal: ns, scale: 1_000_000, digits: 3) } else { nullValue() }
    }

    /// `"key":"client"`, `"server"` or `null`.
    mutating func field(_ k: StaticString, side isClient: Bool?) {
        key(k)
        if let c = isClient { value(c ? "client" as StaticString : "server") } else { nullValue() }
    }

    /// `v / scale` as a JSON number (`appendDecimal`).
    mutating func value(decimal v: Int64, scale: Int64, digits: Int) {
        jsonSeparate()
        appendDecimal(v, scale: scale, digits: digits)
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
    /// `"max_flows"` and the `"evicted_tcp"`, `"evicted_udp"`, `"evicted_dns"` counts, as members of
    /// the object being written (`conversations`' and `capture`'s summary lines).
    package func appendJSONFields(maxFlows: Int, to o: inout OutputBuffer) {
        o.field("max_flows", maxFlows)
        o.field("evicted_tcp", tcp)
        o.field("evicted_udp", udp)
        o.field("evicted_dns", dns)
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
