/// The language a renderer writes the notes' terms in: English, or the notes' own Chinese (`--lang zh`).
/// The one language setting of every command (`read`, `conversations`, `explain`, `capture`, `trace`,
/// `lab`, `tour`).
public enum NotesLanguage: String, Sendable, CaseIterable {
    case en
    case zh
}

/// A term or phrase of the output in both languages, side by side: a renderer asks for
/// `text(lang)` and never spells a language itself. A `{}` in a text marks where a value goes
/// (`OutputBuffer.append(_:_:_:)`), so each language keeps its own word order.
public protocol NotesLabel: CaseIterable, Sendable {
    var english: StaticString { get }
    var chinese: StaticString { get }
}

extension NotesLabel {
    /// The English text, or the Chinese one for `.zh`.
    @inlinable public func text(_ lang: NotesLanguage) -> StaticString { lang == .zh ? chinese : english }
}

extension TCPState: NotesLabel {
    /// The RFC name: the English label is the name itself.
    public var english: StaticString { name }
}

extension ConnectionStep: NotesLabel {}
extension HandshakeKind: NotesLabel {}
extension TeardownKind: NotesLabel {}
extension NotesPhrase: NotesLabel {}

extension OutputBuffer {
    /// `label` in `lang`, with `slot(&self, i)` called at the `i`-th `{}` of the text.
    public mutating func append<L: NotesLabel>(
        _ label: L, _ lang: NotesLanguage, slots slot: (inout OutputBuffer, Int) -> Void
    ) {
        label.text(lang).withUTF8Buffer { b in
            var start = 0
            var i = 0
            var n = 0
            while i < b.count {
                if b[i] == UInt8(ascii: "{") && i + 1 < b.count && b[i + 1] == UInt8(ascii: "}") {
                    append(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: b[start..<i])))
                    slot(&self, n)
                    n += 1
                    i += 2
                    start = i
                } else {
                    i += 1
                }
            }
            append(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: b[start..<b.count])))
        }
    }

    /// `label` in `lang` with the numbers `values` in its `{}` slots, in order.
    public mutating func append<L: NotesLabel>(_ label: L, _ lang: NotesLanguage, _ values: Int...) {
        append(label, lang) { o, i in
            if i < values.count { o.append(values[i]) }
        }
    }

    /// `label` in `lang` (no slots).
    @inlinable public mutating func append<L: NotesLabel>(_ label: L, _ lang: NotesLanguage) {
        append(label.text(lang))
    }
}
