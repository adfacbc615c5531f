import WiretaleCore

/// The text report: a step table, the evidence for each step, an httpstat-like timeline, the
/// ordering verdict against the notes, and the result.
public enum TraceText {
    public static func render(_ r: TraceReport, lang: NotesLanguage = .en, width: Int = 100) -> String {
        var o: [String] = []
        o.append("wiretale trace \(r.url)")
        o.append(r.packets.message.text(lang))
        o.append("")
        o += table(r, lang: lang)
        o.append("")
        o += evidence(r, lang: lang)
        let tl = timeline(r, lang: lang)
        if !tl.isEmpty {
            o.append("")
            o += tl
        }
        o.append("")
        o += verdict(r, lang: lang)
        o.append("")
        o += result(r, lang: lang)
        return o.joined(separator: "\n") + "\n"
    }

    static func name(_ s: TraceStep, _ lang: NotesLanguage) -> String {
        lang == .zh ? s.chineseTitle : s.kind.title
    }

    static func letter(_ s: TraceStep) -> String { s.note.map { String($0) } ?? "-" }

    static func table(_ r: TraceReport, lang: NotesLanguage) -> [String] {
        let rows: [[String]] = r.steps.map { s in
            let hop = s.hop > 0 ? TraceLabel.hopCell.string(lang, "\(s.hop)") : ""
            let start = s.beforeFetch ? TraceLabel.beforeCell.string(lang) : String(format3: s.startMs, decimals: 2)
            let dur = s.beforeFetch || s.status == .skipped ? "-" : String(format3: s.durationMs, decimals: 2)
            let mark =
                s.status == .ok
                ? "" : (s.status == .failed ? TraceLabel.failedCell : TraceLabel.skippedCell).string(lang)
            let frames = s.frames.isEmpty ? "-" : compactRanges(s.frames)
            // A failed step shows why it failed (its last own line, not a frame listing).
            let shown =
                s.status == .failed
                ? s.lines.last { !$0.english.hasPrefix("frame ") && !$0.english.hasPrefix("captured:") }
                : s.lines.first
            return [letter(s), name(s, lang) + hop + mark, start, dur, frames, shown?.text(lang) ?? ""]
        }
        let header = [
            TraceLabel.columnNote, .columnStep, .columnStart, .columnDuration, .columnFrames, .columnEvidence,
        ].map { $0.string(lang) }
        var widths = header.map { displayWidth($0) }
        for row in rows { for (i, c) in row.enumerated() where i < 5 { widths[i] = max(widths[i], displayWidth(c)) } }
        func line(_ cells: [String]) -> String {
            var parts: [String] = []
            for (i, c) in cells.enumerated() {
                if i == 5 {
                    parts.append(c)
                } else if i == 2 || i == 3 {
                    parts.append(String(repeating: " ", count: widths[i] - displayWidth(c)) + c)
                } else {
                    parts.append(c + String(repeating: " ", count: widths[i] - displayWidth(c)))
                }
            }
            return "  " + parts.joined(separator: "  ")
        }
        return [line(header)] + rows.map(line)
    }

    static func evidence(_ r: TraceReport, lang: NotesLanguage) -> [String] {
        var o: [String] = []
        for s in r.steps {
            let hop = s.hop > 0 ? TraceLabel.hopHead.string(lang, "\(s.hop)") : ""
            let note =
                s.kind.note.map { "\($0.letter). \($0.label(lang))" }
                ?? (lang == .zh ? s.chineseTitle : TraceLabel.notInNotesHead.string(lang, s.kind.title))
            var head = "[\(letter(s))] \(s.kind.shortTitle(lang))\(hop): \(note)"
            if s.status == .failed { head += TraceLabel.failedHead.string(lang) }
            if s.status == .skipped { head += TraceLabel.skippedHead.string(lang) }
            o.append(head)
            for e in s.lines { o.append("      " + e.text(lang)) }
            if !s.frames.isEmpty { o.append("      " + TraceLabel.framesLine.string(lang, compactRanges(s.frames))) }
        }
        return o
    }

    /// httpstat's layout for the last fetched hop, and a to-scale bar per step.
    static func timeline(_ r: TraceReport, lang: NotesLanguage = .en) -> [String] {
        let timed = r.steps.filter { !$0.beforeFetch && $0.status != .skipped }
        guard let end = timed.map(\.endMs).max(), end > 0 else { return [] }
        var o: [String] = [TraceLabel.timelineHeading.string(lang, String(format3: end / 50, decimals: 2))]
        let cols = 50
        for s in timed {
            let a = max(0, saturating((s.startMs / end * Double(cols)).rounded(.down), as: Int.self))
            var b = saturating((s.endMs / end * Double(cols)).rounded(.up), as: Int.self)
            if b <= a { b = a + 1 }
            let bar =
                String(repeating: " ", count: min(a, cols))
                + String(repeating: "█", count: max(1, min(b, cols) - min(a, cols)))
            let pad = String(repeating: " ", count: max(0, cols - displayWidth(bar)))
            let label = "\(letter(s)) \(s.kind.shortTitle(lang))" + (s.hop > 0 ? " #\(s.hop)" : "")
            o.append(
                "  " + label.padding(24) + "|" + bar + pad + "| " + String(format3: s.startMs, decimals: 2) + " +"
                    + String(format3: s.durationMs, decimals: 2))
        }
        // httpstat's box from curl's cumulative figures (`TraceTimings`, the steps' own times): each
        // phase is the difference of two figures, so the phases add up to the total, gaps included.
        let t = r.timings
        var marks: [(phase: String, name: String, at: Double)] = []
        if let v = t.namelookupMs { marks.append((TraceLabel.dnsLookupPhase.string(lang), "namelookup", v)) }
        if let v = t.connectMs { marks.append((TraceLabel.tcpConnectionPhase.string(lang), "connect", v)) }
        if t.appconnectMs != nil, let v = t.pretransferMs {
            marks.append((TraceLabel.tlsHandshakePhase.string(lang), "pretransfer", v))
        }
        if let v = t.starttransferMs {
            marks.append((TraceLabel.serverProcessingPhase.string(lang), "starttransfer", v))
        }
        if let v = t.totalMs, t.starttransferMs != nil {
            marks.append((TraceLabel.contentTransferPhase.string(lang), "total", v))
        }
        var phases: [(String, Double)] = []
        for (i, m) in marks.enumerated() { phases.append((m.phase, m.at - (i == 0 ? 0 : marks[i - 1].at))) }
        guard phases.count >= 2 else { return o }
        o.append("")
        let w = phases.map { max(displayWidth($0.0) + 2, 10) }
        o.append("  " + zip(phases, w).map { " " + center($0.0.0, $0.1) }.joined())
        let bar = "  [" + zip(phases, w).map { center(formatMs($0.0.1) + "ms", $0.1) }.joined(separator: "|") + "]"
        o.append(bar)
        // Columns of each "|" and of the closing "]": where each cumulative time is reached.
        var columns: [Int] = []
        for (i, ch) in bar.enumerated() where ch == "|" || ch == "]" { columns.append(i) }
        o.append(columns.reduce(into: Array(repeating: " ", count: bar.count)) { $0[$1] = "|" }.joined())
        for (i, m) in marks.enumerated() where i < columns.count {
            let label = "\(m.name):\(formatMs(m.at))ms"
            // The label ends under its mark when it fits, else starts at the margin; later marks
            // are drawn where the label leaves room.
            let end = columns[i] + 1
            let begin = max(0, end - label.count)
            var row = Array(repeating: " ", count: max(bar.count, begin + label.count))
            for c in columns[(i + 1)...] { row[c] = "|" }
            for (k, ch) in label.enumerated() { row[begin + k] = String(ch) }
            o.append(row.joined())
        }
        if t.redirectMs > 0 {
            o.append(TraceLabel.withRedirects.string(lang, formatMs(t.redirectMs)))
        }
        return o
    }

    static func verdict(_ r: TraceReport, lang: NotesLanguage) -> [String] {
        let v = r.verdict
        var o: [String] = []
        o.append(TraceLabel.notesOrder.string(lang) + r.notesOrder.joined(separator: " "))
        var observed = v.observed.map {
            v.attempted.contains($0) ? TraceLabel.attemptedFailed.string(lang, $0.letter) : $0.letter
        }
        .joined(separator: " ")
        if !v.notInNotes.isEmpty {
            // The steps by their names in the report (the teardown by the shape the capture showed).
            let names = v.notInNotes.map { k in
                lang == .zh ? (r.steps.last { $0.kind == k }?.chineseTitle ?? k.chineseTitle) : k.title
            }
            observed += TraceLabel.notInNotesList.string(lang, names.joined(separator: ", "))
        }
        o.append(TraceLabel.observedOrder.string(lang) + observed)
        if v.outOfPlace.isEmpty {
            o.append(TraceLabel.everyStepInPlace.string(lang))
        } else {
            o.append(TraceLabel.outOfPlace.string(lang, v.outOfPlace.map(\.letter).joined(separator: ", ")))
            for p in v.placements {
                guard let why = p.reason, let here = p.observedPosition else { continue }
                o.append(
                    TraceLabel.placement.string(
                        lang, p.letter.letter, p.letter.label(lang), "\(p.notesPosition)", "\(here)", why.text(lang)))
            }
        }
        if !v.missing.isEmpty {
            o.append(
                TraceLabel.missing.string(
                    lang, v.missing.map { "\($0.letter) (\($0.label(lang)))" }.joined(separator: ", ")))
        }
        return o
    }

    static func result(_ r: TraceReport, lang: NotesLanguage) -> [String] {
        switch r.result {
        case .ok:
            return [TraceLabel.resultOK.string(lang)]
        case .failed(let f):
            let letter = f.step.note.map { "\($0.letter): " } ?? ""
            let stepName = lang == .zh ? f.step.chineseTitle : f.step.title
            var o = [
                TraceLabel.resultFailed.string(
                    lang, letter, stepName, f.failureClass.text(lang).description, "\(f.failureClass.exitCode)"),
                "  \(f.reason.text(lang))",
            ]
            if let h = f.hintText { o.append(TraceLabel.hint.string(lang, h.text(lang))) }
            return o
        }
    }

    static func compactRanges(_ frames: [Int]) -> String {
        let s = frames.sorted()
        var parts: [String] = []
        var i = 0
        while i < s.count {
            var j = i
            while j + 1 < s.count && s[j + 1] == s[j] + 1 { j += 1 }
            parts.append(j > i ? "\(s[i])-\(s[j])" : "\(s[i])")
            i = j + 1
        }
        return parts.joined(separator: ",")
    }

    static func center(_ s: String, _ w: Int) -> String {
        let pad = max(0, w - displayWidth(s))
        return String(repeating: " ", count: pad / 2) + s + String(repeating: " ", count: pad - pad / 2)
    }

    static func displayWidth(_ s: String) -> Int { s.reduce(0) { $0 + TraceURL.displayWidth($1) } }
}

extension String {
    func padding(_ w: Int) -> String {
        let d = TraceText.displayWidth(self)
        return d >= w ? self : self + String(repeating: " ", count: w - d)
    }
}
