import WiretaleCore

/// Steps d, h and f: the PC's address, its physical link, and the data link to the next hop.
enum LocalSteps {
    static func address(_ info: LocalAddressInfo, destination: IPAddress, measuredMs: Double, hop: Int) -> TraceStep {
        var s = TraceStep(.localAddress, hop: hop, beforeFetch: true)
        s.detail.set("local_address", info.local.description)
        s.detail.set("interface", info.interface)
        if let p = info.prefixLength { s.detail.set("prefix_length", p) }
        s.detail.set("default_gateway", info.defaultGateway?.description)
        s.detail.set("next_hop", info.nextHop.description)
        s.detail.set("next_hop_kind", info.isLoopback ? "loopback" : (info.viaGateway ? "gateway" : "on-link"))
        s.detail.set("origin", info.origin ?? "unknown")
        s.detail.set("measured_at_ms", round3(measuredMs))
        let prefix = info.prefixLength.map { "/\($0)" } ?? ""
        s.say(.kernelPicks, destination.description, "\(info.local)\(prefix)", info.interface)
        if info.isLoopback {
            s.say(.staysOnLoopback)
        } else if info.viaGateway {
            s.say(.viaGateway, destination.description, info.nextHop.description)
        } else {
            s.say(.onLink, destination.description)
        }
        if let gw = info.defaultGateway { s.say(.defaultGateway, gw.description) }
        s.lines.append(info.originEvidence)
        s.say(.addressBefore)
        return s
    }

    static func link(_ l: LocalLink, measuredMs: Double, hop: Int) -> TraceStep {
        var s = TraceStep(.link, hop: hop, beforeFetch: true)
        s.detail.set("interface", l.interface)
        s.detail.set("medium", l.medium)
        if let c = l.carrier { s.detail.set("carrier", c) }
        s.detail.set("operstate", l.operState)
        if let m = l.mtu { s.detail.set("mtu", m) }
        s.detail.set("mac", l.mac)
        if let sp = l.speedMbps { s.detail.set("speed_mbps", sp) }
        s.detail.set("measured_at_ms", round3(measuredMs))
        if l.medium == "loopback" {
            s.say(.loopbackLink, l.interface)
        } else {
            let carrier: TraceSay = l.carrier.map { $0 ? .carrierPresent : .carrierAbsent } ?? .unknown
            var line = Bilingual(
                english: TraceSay.linkLine.filled(
                    .en, [l.interface, l.medium, carrier.english.description, l.operState ?? "?"]),
                chinese: TraceSay.linkLine.filled(
                    .zh, [l.interface, l.medium, carrier.chinese.description, l.operState ?? "?"]))
            var more = ""
            if let m = l.mtu { more += ", MTU \(m)" }
            if let mac = l.mac { more += ", MAC \(mac)" }
            if let sp = l.speedMbps { more += ", \(sp) Mb/s" }
            line += Bilingual(verbatim: more)
            s.lines.append(line)
            if l.medium == "virtual" {
                s.say(.virtualLink)
            }
            if l.isUp { s.say(.linkUp, l.interface) } else { s.say(.linkDown) }
        }
        if !l.isUp { s.status = .failed }
        return s
    }

    /// Step f: the neighbour entry for the next hop before and after the fetch's first packets.
    static func neighbour(
        nextHop: IPAddress, interface: String, viaGateway: Bool, before: NeighbourEntry?, after: NeighbourEntry?,
        loopback: Bool, firstPacketMs: Double, hop: Int
    ) -> TraceStep {
        var s = TraceStep(.neighbour, hop: hop)
        let proto = nextHop.isIPv6 ? Bilingual(TraceSay.ndProtocol) : Bilingual(verbatim: "ARP")
        s.detail.set("next_hop", nextHop.description)
        s.detail.set("next_hop_kind", loopback ? "loopback" : (viaGateway ? "gateway" : "on-link"))
        s.detail.set("protocol", nextHop.isIPv6 ? "ndp" : "arp")
        if loopback {
            s.status = .skipped
            s.beforeFetch = true
            s.say(.neighbourLoopback)
            return s
        }
        s.detail.set("cache_before", before.map { "\($0.mac ?? "-") \($0.state)" })
        s.detail.set("cache_after", after.map { "\($0.mac ?? "-") \($0.state)" })
        let who =
            viaGateway
            ? Bilingual(TraceSay.accessRouter, nextHop.description)
            : Bilingual(TraceSay.onLinkHost, nextHop.description)
        /// `label` with `who` (and `proto` where asked) first in its slots, each language its own.
        func line(_ label: TraceSay, _ first: Bilingual, _ rest: [String], then last: Bilingual? = nil) -> Bilingual {
            Bilingual(
                english: label.filled(.en, [first.english] + rest + (last.map { [$0.english] } ?? [])),
                chinese: label.filled(.zh, [first.chinese] + rest + (last.map { [$0.chinese] } ?? [])))
        }
        if let b = before, b.isUsable {
            s.beforeFetch = true
            s.detail.set("existed_before", true)
            s.lines.append(line(.inCache, who, [b.mac ?? "?", "\(b.state)", b.interface]))
            s.lines.append(line(.noExchangeNeeded, proto, []))
            if let a = after, a.state != b.state { s.say(.afterFetch, "\(a.state)") }
        } else {
            s.detail.set("existed_before", false)
            s.startMs = firstPacketMs
            if let a = after, a.isUsable {
                s.lines.append(line(.nowInCache, who, [a.mac ?? "?", "\(a.state)"]))
                s.lines.append(line(.kernelRan, proto, []))
            } else {
                let state = after.map { Bilingual(verbatim: "\($0.state)") } ?? Bilingual(TraceSay.noEntry)
                s.lines.append(
                    Bilingual(
                        english: TraceSay.notResolved.filled(.en, [who.english, state.english, proto.english]),
                        chinese: TraceSay.notResolved.filled(.zh, [who.chinese, state.chinese, proto.chinese])))
                s.status = .failed
            }
        }
        return s
    }
}
