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
        s.evidence.append(
            "to reach \(destination) the kernel picks \(info.local)\(prefix) on \(info.interface) (a UDP connect() and getsockname(): no packet sent)"
        )
        if info.isLoopback {
            s.evidence.append("the destination is this machine: traffic stays on the loopback interface")
        } else if info.viaGateway {
            s.evidence.append("\(destination) is not on the local network: packets go via the gateway \(info.nextHop)")
        } else {
            s.evidence.append("\(destination) is on the local network (on-link): packets go to it directly, no router")
        }
        if let gw = info.defaultGateway { s.evidence.append("default gateway: \(gw)") }
        s.evidence.append(info.originEvidence)
        s.evidence.append("the address was in place before the fetch began: no packet of this fetch obtained it")
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
            s.evidence.append("\(l.interface) is the loopback interface: there is no physical link at all")
        } else {
            var line =
                "\(l.interface) (\(l.medium)): carrier \(l.carrier.map { $0 ? "present" : "absent" } ?? "unknown"), operstate \(l.operState ?? "?")"
            if let m = l.mtu { line += ", MTU \(m)" }
            if let mac = l.mac { line += ", MAC \(mac)" }
            if let sp = l.speedMbps { line += ", \(sp) Mb/s" }
            s.evidence.append(line)
            if l.medium == "virtual" {
                s.evidence.append(
                    "a virtual interface (veth, bridge, tunnel...): its \"physical\" link is a kernel object, not a cable"
                )
            }
            s.evidence.append(
                l.isUp
                    ? "the link was up before the fetch began (read from /sys/class/net/\(l.interface))"
                    : "the link is DOWN: no packet can leave this way")
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
        let proto = nextHop.isIPv6 ? "neighbour discovery (ICMPv6 NS/NA)" : "ARP"
        s.detail.set("next_hop", nextHop.description)
        s.detail.set("next_hop_kind", loopback ? "loopback" : (viaGateway ? "gateway" : "on-link"))
        s.detail.set("protocol", nextHop.isIPv6 ? "ndp" : "arp")
        if loopback {
            s.status = .skipped
            s.beforeFetch = true
            s.evidence.append("loopback: no data link to set up, no ARP/ND")
            return s
        }
        s.detail.set("cache_before", before.map { "\($0.mac ?? "-") \($0.state)" })
        s.detail.set("cache_after", after.map { "\($0.mac ?? "-") \($0.state)" })
        let who = viaGateway ? "the access router \(nextHop)" : "\(nextHop) (on-link)"
        if let b = before, b.isUsable {
            s.beforeFetch = true
            s.detail.set("existed_before", true)
            s.evidence.append(
                "\(who) was already in the neighbour cache: \(b.mac ?? "?") (\(b.state)) on \(b.interface)")
            s.evidence.append("so no \(proto) exchange was needed: the data link was already there")
            if let a = after, a.state != b.state {
                s.evidence.append("after the fetch: \(a.state) (the fetch's traffic confirmed it)")
            }
        } else {
            s.detail.set("existed_before", false)
            s.startMs = firstPacketMs
            if let a = after, a.isUsable {
                s.evidence.append(
                    "\(who) was not in the neighbour cache before the fetch; now it is: \(a.mac ?? "?") (\(a.state))")
                s.evidence.append(
                    "the kernel ran \(proto) when the first packet needed it (timing and frames need a capture)")
            } else {
                s.evidence.append(
                    "\(who) is not resolved in the neighbour cache (\(after?.state ?? "no entry")): \(proto) got no answer"
                )
                s.status = .failed
            }
        }
        return s
    }
}
