import WiretaleCapture
import WiretaleCore

/// `wiretale tour`: the notes' network sections (1–4) in one run. Live (root or CAP_NET_RAW): the
/// TCP and UDP labs captured on loopback. Otherwise: the captures compiled into the binary,
/// explained packet by packet with the tracker's remarks and `explain`'s ladder, plus the labs'
/// calls and kernel states (which need no privilege). Ends with every TCP state of the notes and
/// the lettered list a..i beside what was observed.
public enum Tour {
    /// What the tour saw, for the closing tables.
    struct Seen {
        var wire: Set<TCPState> = []
        var kernel: Set<TCPState> = []
        var seenAt: [TCPState: String] = [:]
        var letters: [String: String] = [:]
        var recordedLetters: [String: String] = [:]

        mutating func add(_ x: FrameExplainer, source: String) {
            for s in x.wireStates where seenAt[s] == nil { seenAt[s] = "packets of \(source)" }
            wire.formUnion(x.wireStates)
        }

        mutating func add(_ run: LabRun) {
            for s in run.kernelStates where !kernel.contains(s) {
                kernel.insert(s)
                if seenAt[s] == nil { seenAt[s] = "the kernel's own table (/proc/net/tcp) during the TCP lab" }
            }
        }
    }

    /// Runs the tour. `trace`, when given and live, runs `wiretale trace` against the tour's own
    /// loopback server and returns its text and the letters it observed.
    public static func run(
        live wantLive: Bool, lang: NotesLanguage,
        trace: (@Sendable () async -> (text: String, observed: [String: String])?)? = nil,
        record directory: String? = nil, to out: inout LabOutput
    ) async {
        let live = wantLive && captureAllowed()
        var seen = Seen()
        out.heading("wiretale tour: the notes' network sections, shown on real packets")
        if live {
            out.line("Live: wiretale may capture here, so each lab below runs on loopback (127.0.0.1) and its")
            out.line("packets are captured as they happen. No other network is used.")
        } else if !wantLive {
            // Asked for (--recorded): whatever the privileges, that is the reason, not a missing one.
            out.line("Recorded, as asked (--recorded): the packets below are captures wiretale recorded on")
            out.line("loopback, compiled into this binary; the calls and kernel states are real, made now.")
            out.line(
                captureAllowed()
                    ? "This run may capture: `wiretale tour` without --recorded runs it all live."
                    : "To watch it all live: sudo wiretale tour (or: sudo setcap cap_net_raw+eip $(command -v wiretale))"
            )
        } else {
            out.line("Not live: capturing packets needs root or CAP_NET_RAW, which this run does not have. The")
            out.line("packets below are captures wiretale recorded on loopback, compiled into this binary; the")
            out.line("calls and kernel states are real, made now. To watch it all live:")
            out.line("    sudo wiretale tour        (or: sudo setcap cap_net_raw+eip $(command -v wiretale))")
        }
        out.line("")

        // Sections 1 and 2: the handshake and the teardown.
        out.heading(
            "1 and 2. TCP: three-way handshake (\(NotesPhrase.handshake.chinese)) and four-way teardown (\(NotesPhrase.teardown.chinese))"
        )
        let tcp = TCPLab.run(.clientCloses, capture: wantLive, lang: lang)
        seen.add(tcp)
        if live {
            let x = LabText.render(tcp, lang: lang, to: &out)
            seen.add(x, source: "the TCP lab")
            if let directory { out.line(writeFrames(tcp.frames ?? [], to: directory + "/tour-tcp.pcap")) }
        } else {
            LabText.render(tcp, lang: lang, ladder: false, to: &out)
            out.line("")
            explainCapture(
                ShippedCaptures.tourTCP, "the same lab, recorded by a privileged `wiretale tour`",
                lines: true, lang: lang, seen: &seen, to: &out)
        }
        out.line("")
        out.line("How else a TCP connection ends (the notes: \"reality differs often\"), from captures wiretale")
        out.line(
            "recorded; `wiretale lab tcp --close server`, `--half-close`, `--abort` and `--refused` run each live:")
        out.line("")
        let variants: [(ShippedCapture, String)] = [
            (ShippedCaptures.tcpCloseServer, "the server closes first: it is A and ends in TIME-WAIT"),
            (ShippedCaptures.tcpHalfClose, "half-close: shutdown(SHUT_WR), then data after the FIN"),
            (ShippedCaptures.tcpSimultaneousClose, "simultaneous close: the FINs cross, both sides pass CLOSING"),
            (ShippedCaptures.tcpRSTAbort, "abort: SO_LINGER 0 makes close() send a RST, no teardown, no TIME-WAIT"),
            (ShippedCaptures.tcpRefused, "refused: nothing listens, the SYN is answered by RST"),
        ]
        for (capture, what) in variants {
            explainCapture(capture, what, lines: false, lang: lang, seen: &seen, to: &out)
        }

        // Section 3: UDP.
        out.heading("3. UDP vs TCP (\(NotesQuote.udpTCPDifference.chinese)): connectionless, no handshake, no teardown")
        let udp = UDPLab.run(capture: wantLive)
        let ux = LabText.render(udp, lang: lang, to: &out)
        out.line("")
        if !live {
            explainCapture(
                ShippedCaptures.tourUDP, "the same lab, recorded by a privileged `wiretale tour`",
                lines: true, lang: lang, seen: &seen, to: &out)
            explainCapture(
                ShippedCaptures.tourBroadcast,
                "UDP can broadcast: one datagram to 10.77.0.255, as a receiver saw it (recorded by the tour "
                    + "in network namespaces it made)", lines: true, lang: lang, seen: &seen, to: &out)
            explainCapture(
                ShippedCaptures.udpDNS, "more UDP: DNS questions and answers, one multicast datagram",
                lines: true, lang: lang, seen: &seen, to: &out)
        } else {
            seen.add(ux, source: "the UDP lab")
            if let directory { out.line(writeFrames(udp.frames ?? [], to: directory + "/tour-udp.pcap")) }
            let b = BroadcastLab.run(capture: live)
            BroadcastLab.render(b, lang: lang, to: &out)
            if let directory, let frames = b.receivers.first?.frames {
                out.line(writeFrames(frames, to: directory + "/tour-broadcast.pcap"))
            }
            out.line("")
        }
        out.line("The notes say UDP is fast and TCP slow. Measured (`wiretale lab compare` for more):")
        CompareLab.render(CompareLab.run(count: 50, size: 32, capture: wantLive), to: &out)
        out.line("")

        // Section 4: visiting a website.
        out.heading("4. Visiting a website (\(NotesQuote.visitingAWebsite.chinese))")
        var traced: (text: String, observed: [String: String])?
        // The trace needs no privilege for its calls (DNS, connect, HTTP against the tour's own
        // loopback servers); only its packets need capturing.
        if let trace {
            traced = await trace()
        }
        if let traced {
            out.raw(traced.text)
            seen.letters = traced.observed
        }
        if !live || traced == nil {
            if traced == nil {
                out.line("(the trace could not run here; a recorded fetch follows)")
            } else {
                out.line("")
                out.line(
                    wantLive
                        ? "The same kind of fetch with its packets, recorded (capturing needs root):"
                        : "The same kind of fetch with its packets, recorded (--recorded):")
            }
            let x = explainCapture(
                ShippedCaptures.httpLoopback, "a page fetched from a loopback web server",
                lines: true, lang: lang, seen: &seen, to: &out)
            let dns = ShippedCaptures.udpDNS.frames()
            let recorded = observeLetters(
                http: x, httpFrames: ShippedCaptures.httpLoopback.frames(), dnsFrames: dns)
            seen.recordedLetters = recorded
        }
        out.line("")
        closingTables(seen, lang: lang, to: &out)
    }

    /// Explains one compiled-in capture: packet lines (optionally) and each TCP stream's ladder.
    @discardableResult
    static func explainCapture(
        _ c: ShippedCapture, _ what: String, lines: Bool, lang: NotesLanguage,
        seen: inout Seen, to out: inout LabOutput
    ) -> [String] {
        out.line("── \(c.name): \(what)")
        var x = FrameExplainer(language: lang)
        var texts: [String] = []
        for f in c.frames() {
            let (t, _) = x.line(for: f)
            texts.append(t)
            if lines { out.line("  " + t) }
        }
        x.finish()
        for s in x.streams { out.raw(x.ladder(stream: s)) }
        out.line("")
        seen.add(x, source: c.name)
        return texts
    }

    /// What a recorded fetch shows for each of the notes' letters.
    static func observeLetters(http: [String], httpFrames: [LabFrame], dnsFrames: [LabFrame]) -> [String: String] {
        var o: [String: String] = [:]
        func frame(_ pred: (String) -> Bool, in lines: [String]) -> Int? {
            lines.firstIndex(where: pred).map { $0 + 1 }
        }
        o["a"] =
            "not on the wire: the client parsed http://127.0.0.1:8080/index.html itself; an IP, so no name to resolve"
        var dx = FrameExplainer()
        let dnsLines = dnsFrames.map { dx.line(for: $0).text }
        if let q = frame({ $0.contains("DNS") && $0.contains("notes.example") }, in: dnsLines) {
            o["b"] = "udp-dns.pcap frame \(q): a DNS question for notes.example over UDP, answered in the next frame"
        }
        if let r = frame({ $0.contains("HTTP") && $0.contains("200") }, in: http) {
            o["c"] = "frame \(r): the server's HTTP/1.0 200 OK carries the document"
        }
        o["d"] = "the capture's source address 127.0.0.1: the host already had its address (on a LAN: DHCP)"
        if let g = frame({ $0.contains("GET") }, in: http) {
            o["e"] = "frame \(g): the HTTP request (GET /index.html) on the new connection"
        }
        o["f"] = "loopback has no data link to set up (no ARP, no router); on Ethernet: ARP for the router's MAC"
        o["g"] = "not on the wire: the client shows the page (the tour does not render it)"
        o["h"] = "not in a capture: the physical layer sits below what libpcap sees; loopback has none"
        if let s = frame({ $0.contains("[S]") }, in: http) {
            o["i"] = "frames \(s)-\(s + 2): the three-way handshake with the web server"
        }
        return o
    }

    static func closingTables(_ seen: Seen, lang: NotesLanguage, to out: inout LabOutput) {
        out.heading("What the tour showed, in the notes' terms")
        out.line("Every TCP state of the notes (sections 1 and 2), and where it was seen:")
        for s in TCPState.allCases {
            let label = LabText.pad(s.label(lang).description, lang == .zh ? 28 : 13)
            var w = seen.seenAt[s] ?? "not seen"
            if s == .closed { w = "before the first SYN and after the last ACK (the kernel then lists no socket)" }
            out.line("  \(label) \(w)")
        }
        out.line("")
        out.line("The notes' list for visiting a website (section 4), letter by letter, beside what was observed:")
        for l in NotesStep.notesOrder {
            out.line("  \(l.letter). \(l.label(lang))")
            let now = seen.letters[l.letter]
            let recorded = seen.recordedLetters[l.letter]
            if now != nil || recorded == nil {
                out.line("       observed: \(now ?? "not observed in this tour")")
            }
            if let recorded { out.line("       recorded: \(recorded)") }
        }
        out.line("")
        out.line("The notes list them a..i; a real fetch happens in the order d, h, f (address and link are already")
        out.line("there), then a, b, i, e, c, g. HTTPS adds a TLS handshake between i and e, and the teardown after c")
        out.line("is not in the list. `wiretale trace URL` shows each step of a real fetch beside its letter.")
    }
}
