import FuzzSupport
import WiretaleCore

/// `dns`: the input is one DNS message (as a UDP payload, or a TCP one after its length prefix).
/// Parsed whole and partially; what either returns is read as the renderers read it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDNS(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = Fuzz.bytes(data, count)
    let (partial, problem) = DNSMessage.parsePartial(input, base: 14)
    do {
        let whole = try DNSMessage.parse(input, base: 14)
        precondition(problem == nil && whole == partial, "parse and parsePartial must agree on a good message")
        precondition(whole.length <= count, "a message cannot be longer than its bytes")
        touch(whole)
    } catch {
        precondition(problem != nil, "parsePartial must report the problem parse threw")
        precondition(error.offset >= 14 && error.offset <= 14 + count, "an error's offset must lie in the message")
        _ = error.description
    }
    touch(partial)
    return 0
}

/// Everything the text and JSON renderers read of a message.
func touch(_ m: DNSMessage) {
    var o = Fuzz.output()
    o.append(m.opcodeName)
    o.append(m.rcode.description)
    o.append(m.extendedRCode.description)
    for q in m.questions {
        o.appendJSONString(q.name)
        o.append(q.type.description)
        o.append(q.className)
    }
    for r in m.answers + m.authorities + m.additionals {
        o.appendJSONString(r.name)
        o.append(r.type.description)
        o.append(r.className)
        o.appendJSONString(r.data)
        if let a = r.address { o.append(a) }
        if let t = r.target { o.appendJSONString(t) }
    }
    o.flush()
}
