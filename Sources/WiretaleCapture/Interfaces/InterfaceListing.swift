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
                o.endRecord()
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
        o.beginObject()
        o.field("name", i.name)
        o.field("description", i.descriptionText)
        o.beginArray("flags")
        if i.flags.contains(.up) { o.value("up" as StaticString) }
        if i.flags.contains(.running) { o.value("running" as StaticString) }
        if i.flags.contains(.loopback) { o.value("loopback" as StaticString) }
        if i.flags.contains(.wireless) { o.value("wireless" as StaticString) }
        o.endArray()
        o.field("default", isDefault)
        switch i.connectionStatus {
        case .unknown: o.field("connection", "unknown" as StaticString)
        case .connected: o.field("connection", "connected" as StaticString)
        case .disconnected: o.field("connection", "disconnected" as StaticString)
        case .notApplicable: o.field("connection", "not-applicable" as StaticString)
        }
        switch i.linkType {
        case .known(let l):
            o.field("link_type", l.name)
            o.field("dlt", UInt64(l.rawValue))
            o.field("link_type_note", nil as String?)
        case .needsPrivileges, .notProbed, .failed:
            o.field("link_type", nil as String?)
            o.field("dlt", nil as UInt64?)
            o.field("link_type_note", i.linkType.description)
        }
        o.key("mac")
        if let mac = i.hardwareAddress, mac != 0 {
            var m = OutputBuffer(fd: -1, flushThreshold: 32)
            m.appendMAC(mac)
            o.value(String(decoding: m.bytes, as: UTF8.self))
        } else {
            o.nullValue()
        }
        o.beginArray("addresses")
        for a in i.addresses {
            o.beginObject()
            o.field("address", a.address)
            o.field("prefix", a.prefixLength)
            optionalAddress("netmask", a.netmask, &o)
            optionalAddress("broadcast", a.broadcast, &o)
            optionalAddress("destination", a.destination, &o)
            o.endObject()
        }
        o.endArray()
        o.endObject()
    }

    private static func optionalAddress(_ key: StaticString, _ a: IPAddress?, _ o: inout OutputBuffer) {
        o.key(key)
        if let a { o.value(a) } else { o.nullValue() }
    }
}
