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
        var seenAt: [TCPState: Bilingual] = [:]
        var letters: [String: Bilingual] = [:]
        var recordedLetters: [String: Bilingual] = [:]

        mutating func add(_ x: FrameExplainer, source: Bilingual) {
            for s in x.wireStates where seenAt[s] == nil { seenAt[s] = Bilingual(LabSay.packetsOf, parts: [source]) }
            wire.formUnion(x.wireStates)
        }

        mutating func add(_ run: LabRun) {
            for s in run.kernelStates where !kernel.contains(s) {
                kernel.insert(s)
                if seenAt[s] == nil { seenAt[s] = Bilingual(LabSay.kernelTable) }
            }
        }
    }

    /// Runs the tour. `trace`, when given and live, runs `wiretale trace` against the tour's own
    /// loopback server and returns its text and the letters it observed.
    public static func run(
        live wantLive: Bool, lang: NotesLanguage,
        trace: (@Sendable () async -> (text: String, observed: [String: Bilingual])?)? = nil,
        record directory: String? = nil, to out: inout LabOutput
    ) async {
        let live = wantLive && captureAllowed()
        var seen = Seen()
        func say(_ l: LabSay) -> String { l.text(lang).description }
        out.heading(say(.tourHeading))
        if live {
            out.line(say(.liveLine1))
            out.line(say(.liveLine2))
        } else if !wantLive {
            // Asked for (--recorded): whatever the privileges, that is the reason, not a missing one.
            out.line(say(.recordedLine1))
            out.line(say(.recordedLine2))
            out.line(say(captureAllowed() ? .mayCapture : .toWatchLive))
        } else {
            out.line(say(.notLive1))
            out.line(say(.notLive2))
            out.line(say(.notLive3))
            out.line(say(.notLive4))
        }
        out.line("")

        // Sections 1 and 2: the handshake and the teardown.
        out.heading(
            LabSay.section12.filled(
                lang, [NotesPhrase.handshake.chinese.description, NotesPhrase.teardown.chinese.description]))
        let tcp = TCPLab.run(.clientCloses, capture: wantLive, lang: lang)
        seen.add(tcp)
        if live {
            let x = LabText.render(tcp, lang: lang, to: &out)
            seen.add(x, source: Bilingual(LabSay.theTCPLab))
            if let directory { out.line(writeFrames(tcp.frames ?? [], to: directory + "/tour-tcp.pcap").text(lang)) }
        } else {
            LabText.render(tcp, lang: lang, ladder: false, to: &out)
            out.line("")
            explainCapture(
                ShippedCaptures.tourTCP, Bilingual(LabSay.sameLabRecorded), lines: true, lang: lang, seen: &seen,
                to: &out)
        }
        out.line("")
        out.line(say(.otherEndings1))
        out.line(say(.otherEndings2))
        out.line("")
        let variants: [(ShippedCapture, LabSay)] = [
            (ShippedCaptures.tcpCloseServer, .variantServerCloses),
            (ShippedCaptures.tcpHalfClose, .variantHalfClose),
            (ShippedCaptures.tcpSimultaneousClose, .variantSimultaneous),
            (ShippedCaptures.tcpRSTAbort, .variantAbort),
            (ShippedCaptures.tcpRefused, .variantRefused),
        ]
        for (capture, what) in variants {
            explainCapture(capture, Bilingual(what), lines: false, lang: lang, seen: &seen, to: &out)
        }

        // Section 3: UDP.
        out.heading(LabSay.section3.filled(lang, [NotesQuote.udpTCPDifference.chinese.description]))
        let udp = UDPLab.run(capture: wantLive)
        let ux = LabText.render(udp, lang: lang, to: &out)
        out.line("")
        if !live {
            explainCapture(
                ShippedCaptures.tourUDP, Bilingual(LabSay.sameLabRecorded), lines: true, lang: lang, seen: &seen,
                to: &out)
            explainCapture(
                ShippedCaptures.tourBroadcast, Bilingual(LabSay.broadcastRecorded), lines: true, lang: lang,
                seen: &seen, to: &out)
            explainCapture(
                ShippedCaptures.udpDNS, Bilingual(LabSay.moreUDP), lines: true, lang: lang, seen: &seen, to: &out)
        } else {
            seen.add(ux, source: Bilingual(LabSay.theUDPLab))
            if let directory { out.line(writeFrames(udp.frames ?? [], to: directory + "/tour-udp.pcap").text(lang)) }
            let b = BroadcastLab.run(capture: live)
            BroadcastLab.render(b, lang: lang, to: &out)
            if let directory, let frames = b.receivers.first?.frames {
                out.line(writeFrames(frames, to: directory + "/tour-broadcast.pcap").text(lang))
            }
            out.line("")
        }
        out.line(say(.udpFastSlow))
        CompareLab.render(CompareLab.run(count: 50, size: 32, capture: wantLive), lang: lang, to: &out)
        out.line("")

        // Section 4: visiting a website.
        out.heading(LabSay.section4.filled(lang, [NotesQuote.visitingAWebsite.chinese.description]))
        var traced: (text: String, observed: [String: Bilingual])?
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
                out.line(say(.traceCouldNotRun))
            } else {
                out.line("")
                out.line(say(wantLive ? .sameFetchRoot : .sameFetchRecorded))
            }
            let x = explainCapture(
                ShippedCaptures.httpLoopback, Bilingual(LabSay.pageFetched), lines: true, lang: lang, seen: &seen,
                to: &out)
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
        _ c: ShippedCapture, _ what: Bilingual, lines: Bool, lang: NotesLanguage,
        seen: inout Seen, to out: inout LabOutput
    ) -> [String] {
        out.line("── \(c.name): \(what.text(lang))")
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
        seen.add(x, source: Bilingual(verbatim: c.name))
        return texts
    }

    /// What a recorded fetch shows for each of the notes' letters.
    static func observeLetters(http: [String], httpFrames: [LabFrame], dnsFrames: [LabFrame]) -> [String: Bilingual] {
        var o: [String: Bilingual] = [:]
        func frame(_ pred: (String) -> Bool, in lines: [String]) -> Int? {
            lines.firstIndex(where: pred).map { $0 + 1 }
        }
        o["a"] = Bilingual(LabSay.letterA)
        var dx = FrameExplainer()
        let dnsLines = dnsFrames.map { dx.line(for: $0).text }
        if let q = frame({ $0.contains("DNS") && $0.contains("notes.example") }, in: dnsLines) {
            o["b"] = Bilingual(LabSay.letterB, "\(q)")
        }
        if let r = frame({ $0.contains("HTTP") && $0.contains("200") }, in: http) {
            o["c"] = Bilingual(LabSay.letterC, "\(r)")
        }
        o["d"] = Bilingual(LabSay.letterD)
        if let g = frame({ $0.contains("GET") }, in: http) {
            o["e"] = Bilingual(LabSay.letterE, "\(g)")
        }
        o["f"] = Bilingual(LabSay.letterF)
        o["g"] = Bilingual(LabSay.letterG)
        o["h"] = Bilingual(LabSay.letterH)
        if let s = frame({ $0.contains("[S]") }, in: http) {
            o["i"] = Bilingual(LabSay.letterI, "\(s)", "\(s + 2)")
        }
        return o
    }

    static func closingTables(_ seen: Seen, lang: NotesLanguage, to out: inout LabOutput) {
        func say(_ l: LabSay) -> String { l.text(lang).description }
        out.heading(say(.closingHeading))
        out.line(say(.everyState))
        for s in TCPState.allCases {
            let label = LabText.pad(s.label(lang).description, lang == .zh ? 28 : 13)
            var w = seen.seenAt[s]?.text(lang) ?? say(.notSeen)
            if s == .closed { w = say(.closedWhere) }
            out.line("  \(label) \(w)")
        }
        out.line("")
        out.line(say(.lettersHeading))
        for l in NotesStep.notesOrder {
            out.line("  \(l.letter). \(l.label(lang))")
            let now = seen.letters[l.letter]
            let recorded = seen.recordedLetters[l.letter]
            if now != nil || recorded == nil {
                out.line(LabSay.observed.filled(lang, [now?.text(lang) ?? say(.notObserved)]))
            }
            if let recorded { out.line(LabSay.recorded.filled(lang, [recorded.text(lang)])) }
        }
        out.line("")
        out.line(say(.closing1))
        out.line(say(.closing2))
        out.line(say(.closing3))
    }
}
