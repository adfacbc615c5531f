/// One line of a report in both languages, made once from a label table (`NotesLabel`) with its
/// values in the `{}` slots: the text renderer picks `text(lang)`, JSON keeps `english` (JSON is
/// language-neutral). Values (addresses, numbers, names, packet lines) are the same in both.
public struct Bilingual: Sendable, Equatable, CustomStringConvertible {
    public var english: String
    public var chinese: String

    public init(english: String, chinese: String) {
        self.english = english
        self.chinese = chinese
    }

    /// Text that reads the same in both languages: a header line, a URL, a packet line.
    public init(verbatim: String) {
        english = verbatim
        chinese = verbatim
    }

    /// `label` in both languages, `values` in its `{}` slots in order.
    public init<L: NotesLabel>(_ label: L, _ values: String...) {
        english = label.filled(.en, values)
        chinese = label.filled(.zh, values)
    }

    /// `label` in both languages with values that differ by language themselves (a label, a
    /// phrase) in its slots: each language gets its own rendering of each part.
    public init<L: NotesLabel>(_ label: L, parts: [Bilingual]) {
        english = label.filled(.en, parts.map(\.english))
        chinese = label.filled(.zh, parts.map(\.chinese))
    }

    /// A label with no slots, or a phrase, in both languages.
    public init<L: NotesLabel>(_ label: L) {
        english = label.english.description
        chinese = label.chinese.description
    }

    /// The English text, or the Chinese one for `.zh`.
    public func text(_ lang: NotesLanguage) -> String { lang == .zh ? chinese : english }

    public var description: String { english }

    /// The two lines joined, each language with its own.
    public static func + (a: Bilingual, b: Bilingual) -> Bilingual {
        Bilingual(english: a.english + b.english, chinese: a.chinese + b.chinese)
    }

    public static func += (a: inout Bilingual, b: Bilingual) { a = a + b }

    /// The lines joined with `separator` (itself the same in both languages).
    public static func joined(_ parts: [Bilingual], separator: String) -> Bilingual {
        Bilingual(
            english: parts.map(\.english).joined(separator: separator),
            chinese: parts.map(\.chinese).joined(separator: separator))
    }
}

extension NotesLabel {
    /// The text in `lang` with `values` in its `{}` slots, in order, as a String (for the reports
    /// that build Strings; the byte writers use `OutputBuffer.append(_:_:slots:)`).
    public func filled(_ lang: NotesLanguage, _ values: [String]) -> String {
        var o = OutputBuffer(fd: -1)
        o.append(self, lang) { o, i in
            if i < values.count { o.append(values[i]) }
        }
        return String(decoding: o.bytes, as: UTF8.self)
    }
}
