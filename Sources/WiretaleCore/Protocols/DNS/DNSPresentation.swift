/// How `read` shows a DNS message: after the transport's summary, and as the `dns` member in JSON.
extension DNSDecoder {
    /// `: DNS query 0x1a2b A example.com`, or `: DNS response 0x1a2b NOERROR A example.com -> A 192.0.2.1`
    /// with up to three answers (data past 64 bytes cut to 60 and `...`) and `(+N more)`.
    public static func appendSummary(_ m: DNSMessage, to o: inout OutputBuffer) {
        o.append(m.isResponse ? ": DNS response 0x" : ": DNS query 0x")
        o.appendHex(UInt64(m.id), digits: 4)
        if m.isResponse {
            o.append(byte: 0x20)
            o.append(m.rcode.name)
        }
        if let q = m.questions.first {
            o.append(byte: 0x20)
            o.append(q.type.name)
            o.append(byte: 0x20)
            o.append(q.name)
        }
        guard m.isResponse && !m.answers.isEmpty else { return }
        o.append(" ->")
        for (i, r) in m.answers.prefix(3).enumerated() {
            o.append(i == 0 ? " " : ", ")
            o.append(r.type.name)
            o.append(byte: 0x20)
            if r.data.utf8.count > 64 {
                o.append(String(r.data.prefix(60)))
                o.append("...")
            } else {
                o.append(r.data)
            }
        }
        if m.answers.count > 3 {
            o.append(" (+")
            o.append(m.answers.count - 3)
            o.append(" more)")
        }
    }

    /// `{"id":…,"response":…,"opcode":…,"rcode":"NOERROR","tc":false,"questions":[{"name","type"}],
    /// "answers":[{"name","type","ttl","data"}],"authorities":N,"additionals":N}` (README's JSON keys).
    public static func appendJSON(_ m: DNSMessage, to o: inout OutputBuffer) {
        o.beginObject()
        o.field("id", Int(m.id))
        o.field("response", m.isResponse)
        o.field("opcode", Int(m.opcode))
        o.field("rcode", m.rcode.name)
        o.field("tc", m.truncated)
        o.beginArray("questions")
        for q in m.questions {
            o.beginObject()
            o.field("name", q.name)
            o.field("type", q.type.name)
            o.endObject()
        }
        o.endArray()
        o.beginArray("answers")
        for r in m.answers {
            o.beginObject()
            o.field("name", r.name)
            o.field("type", r.type.name)
            o.field("ttl", UInt64(r.ttl))
            o.field("data", r.data)
            o.endObject()
        }
        o.endArray()
        o.field("authorities", m.authorities.count)
        o.field("additionals", m.additionals.count)
        o.endObject()
    }
}
