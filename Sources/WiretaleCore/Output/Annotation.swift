/// The comments `read --annotate -w OUT.pcapng` puts on each packet (pcapng `opt_comment`): the
/// remarks `read` prints for the frame (the notes' step, each side's state change, the checks and
/// Wireshark's anomalies), prefixed by the TCP stream number, as one line.
public enum Annotation {
    /// The section header's `shb_userappl`: this program and its version.
    public static let application = "wiretale \(WiretaleVersion.string)"

    /// The comment for a frame whose note `read` made; nil when it has nothing to say.
    public static func comment(_ note: PacketNote, lang: NotesLanguage = .en) -> String? {
        var o = OutputBuffer(fd: -1)
        note.appendRemarks(to: &o, lang: lang)
        guard !o.bytes.isEmpty else { return nil }
        let remarks = String(decoding: o.bytes, as: UTF8.self)
        return note.kind == .tcp ? "tcp stream \(note.stream): \(remarks)" : remarks
    }
}
