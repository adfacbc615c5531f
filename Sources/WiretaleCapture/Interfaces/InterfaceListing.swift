import WiretaleCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// `wiretale interfaces`: libpcap's list (`Interfaces.list()`), as a table (`.text`) or one JSON
/// object per interface per line (`.json`), on standard output.
public enum InterfacesListing {
    /// Prints the list; `.none` prints nothing (the list is still read, so errors still show).
    ///
    /// - Throws: `CommandExit.failure` after printing why the list could not be read or written
    ///   (a closed pipe, EPIPE, is not an error).
    public static func run(format: OutputFormat) throws(CommandExit) {
        signal(SIGPIPE, SIG_IGN)
        let interfaces: [NetworkInterface]
        do {
            interfaces = try Interfaces.list()
        } catch {
            Diagnostics.error("\(error)")
            throw .failure
        }
        let chosen = DefaultInterface.choose(from: interfaces)
        var o = OutputBuffer(fd: 1)
        switch format {
        case .text:
            InterfaceTable.render(interfaces, default: chosen, to: &o)
        case .json:
            for i in interfaces {
                InterfaceJSON.render(i, isDefault: i.name == chosen, to: &o)
                o.append(byte: 0x0A)
            }
        case .none:
            break
        }
        o.flush()
        if o.failed != 0 && o.failed != EPIPE {
            Diagnostics.error("cannot write the list: \(String(cString: strerror(o.failed)))")
            throw .failure
        }
    }
}

/// The interface `capture` uses when no -i is given: like tcpdump, the first in libpcap's order
/// that is up, not loopback, and a real network interface (not `any` or a pseudo-device such as
/// nflog or dbus); among those, one that is also running if there is one.
public enum DefaultInterface {
    public static func choose(from interfaces: [NetworkInterface]) -> String? {
        let candidates = interfaces.filter {
            $0.name != "any" && $0.flags.contains(.up) && !$0.flags.contains(.loopback) && if_nametoindex($0.name) != 0
        }
        return (candidates.first { $0.flags.contains(.running) } ?? candidates.first)?.name
    }
}

/// The `interfaces` table: name, flags, link type, addresses (one per line under the first).
public enum InterfaceTable {
    static func flagWords(_ i: NetworkInterface, isDefault: Bool) -> [String] {
        var words: [String] = []
        if i.flags.contains(.up) { words.append("up") }
        if i.flags.contains(.running) { words.append("running") }
        if i.flags.contains(.loopback) { words.append("loopback") }
        if i.flags.contains(.wireless) { words.append("wireless") }
        switch i.connectionStatus {
        case .disconnected: words.append("disconnected")
        case .connected, .unknown, .notApplicable: break
        }
        if !i.flags.contains(.up) && i.name != "any" { words.append("down") }
        if isDefault { words.append("default") }
        return words
    }

    static func addressTexts(_ i: NetworkInterface) -> [String] {
        var texts = i.addresses.map(\.description)
        if let mac = i.hardwareAddress, mac != 0 {
            var o = OutputBuffer(fd: -1)
            o.appendMAC(mac)
            texts.append("link " + String(decoding: o.bytes, as: UTF8.self))
        }
        if texts.isEmpty, i.name == "any" {
            texts.append("(all interfaces)")
        }
        return texts
    }

    /// The table of `interfaces`, `chosen` marked "default".
    public static func render(_ interfaces: [NetworkInterface], default chosen: String?, to o: inout OutputBuffer) {
        let header = ["INTERFACE", "FLAGS", "LINK TYPE", "ADDRESSES"]
        var rows: [[String]] = []
        for i in interfaces {
            let flags = flagWords(i, isDefault: i.name == chosen).joined(separator: ",")
            let addresses = addressTexts(i)
            rows.append([i.name, flags.isEmpty ? "-" : flags, i.linkType.description, addresses.first ?? "-"])
            for extra in addresses.dropFirst() { rows.append(["", "", "", extra]) }
        }
        var widths = header.map(\.count)
        for r in rows {
            for c in 0..<3 { widths[c] = max(widths[c], r[c].count) }
        }
        for r in [header] + rows {
            var line = ""
            for c in 0..<3 { line += r[c] + String(repeating: " ", count: widths[c] - r[c].count + 2) }
            line += r[3]
            while line.last == " " { line.removeLast() }
            o.append(line)
            o.append(byte: 0x0A)
        }
    }
}

/// One JSON object per interface. Keys: name, description, flags, default, connection, link_type
/// (the name, or null when unknown) with link_type_note saying why, mac, addresses
/// (`{"address","prefix","netmask","broadcast","destination"}`).
public enum InterfaceJSON {
    /// One object, without the newline.
    public static func render(_ i: NetworkInterface, isDefault: Bool, to o: inout OutputBuffer) {
        o.append("{\"name\":")
        o.appendJSONString(i.name)
        o.append(",\"description\":")
        if let d = i.descriptionText { o.appendJSONString(d) } else { o.append("null") }
        o.append(",\"flags\":[")
        var words: [StaticString] = []
        if i.flags.contains(.up) { words.append("up") }
        if i.flags.contains(.running) { words.append("running") }
        if i.flags.contains(.loopback) { words.append("loopback") }
        if i.flags.contains(.wireless) { words.append("wireless") }
        for (n, w) in words.enumerated() {
            if n > 0 { o.append(byte: UInt8(ascii: ",")) }
            o.append(byte: UInt8(ascii: "\""))
            o.append(w)
            o.append(byte: UInt8(ascii: "\""))
        }
        o.append("],\"default\":")
        o.append(isDefault ? "true" : "false")
        o.append(",\"connection\":\"")
        switch i.connectionStatus {
        case .unknown: o.append("unknown")
        case .connected: o.append("connected")
        case .disconnected: o.append("disconnected")
        case .notApplicable: o.append("not-applicable")
        }
        o.append("\",\"link_type\":")
        switch i.linkType {
        case .known(let l):
            o.append("\"")
            o.append(l.name)
            o.append("\",\"dlt\":")
            o.append(UInt64(l.rawValue))
            o.append(",\"link_type_note\":null")
        case .needsPrivileges, .notProbed, .failed:
            o.append("null,\"dlt\":null,\"link_type_note\":")
            o.appendJSONString(i.linkType.description)
        }
        o.append(",\"mac\":")
        if let mac = i.hardwareAddress, mac != 0 {
            o.append(byte: UInt8(ascii: "\""))
            o.appendMAC(mac)
            o.append(byte: UInt8(ascii: "\""))
        } else {
            o.append("null")
        }
        o.append(",\"addresses\":[")
        for (n, a) in i.addresses.enumerated() {
            if n > 0 { o.append(byte: UInt8(ascii: ",")) }
            o.append("{\"address\":\"")
            o.append(a.address)
            o.append("\",\"prefix\":")
            if let p = a.prefixLength { o.append(p) } else { o.append("null") }
            o.append(",\"netmask\":")
            optionalAddress(a.netmask, &o)
            o.append(",\"broadcast\":")
            optionalAddress(a.broadcast, &o)
            o.append(",\"destination\":")
            optionalAddress(a.destination, &o)
            o.append(byte: UInt8(ascii: "}"))
        }
        o.append("]}")
    }

    private static func optionalAddress(_ a: IPAddress?, _ o: inout OutputBuffer) {
        guard let a else {
            o.append("null")
            return
        }
        o.append(byte: UInt8(ascii: "\""))
        o.append(a)
        o.append(byte: UInt8(ascii: "\""))
    }
}
