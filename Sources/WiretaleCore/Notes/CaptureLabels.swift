/// The words of `capture`'s closing summary, one concept each, in English and in the notes'
/// Chinese: `CaptureLabel.handshakesCompleted.counted(3, lang: .zh)` is "3 次握手完成". Every
/// renderer of the summary draws from this table, so a term is spelled in one place.
public enum CaptureLabel: Int, Sendable, CaseIterable {
    /// TCP connections the tracker saw (any state).
    case tcpConnectionsSeen
    /// Three-way handshakes completed (三次握手).
    case handshakesCompleted
    /// Connections closed by FIN (四次挥手).
    case teardowns
    /// Connections ended by a RST.
    case resets
    /// Connection attempts answered by RST: nothing listened.
    case refused
    /// UDP flows.
    case udpFlows

    /// English: the noun (made plural with "s" unless `pluralizes` is false) and what follows it;
    /// Chinese: the measure word and term after the number.
    private var words: (en: String, pluralizes: Bool, after: String, zh: String) {
        switch self {
        case .tcpConnectionsSeen: ("TCP connection", true, " seen", "个TCP连接")
        case .handshakesCompleted: ("handshake", true, " completed", "次握手完成")
        case .teardowns: ("teardown", true, " (FIN)", "次挥手关闭")
        case .resets: ("reset", true, " (RST)", "次RST终止")
        case .refused: ("refused", false, "", "次连接被拒绝")
        case .udpFlows: ("UDP flow", true, "", "个UDP流")
        }
    }

    /// `n` and the label: "1 handshake completed", "2 handshakes completed", "2 次握手完成".
    public func counted(_ n: Int, lang: NotesLanguage) -> String {
        let w = words
        switch lang {
        case .en: return "\(n) \(w.en)\(w.pluralizes && n != 1 ? "s" : "")\(w.after)"
        case .zh: return "\(n) \(w.zh)"
        }
    }

    /// The summary line: the TCP counts joined by ", ", then "; " and the UDP flows, e.g.
    /// `3 TCP connections seen, 2 handshakes completed, 1 teardown (FIN), 0 resets (RST), 1 refused; 4 UDP flows`.
    public static func summary(
        tcpConnections: Int, handshakes: Int, teardowns: Int, resets: Int, refused: Int, udpFlows: Int,
        lang: NotesLanguage
    ) -> String {
        let tcp = [
            Self.tcpConnectionsSeen.counted(tcpConnections, lang: lang),
            Self.handshakesCompleted.counted(handshakes, lang: lang),
            Self.teardowns.counted(teardowns, lang: lang), Self.resets.counted(resets, lang: lang),
            Self.refused.counted(refused, lang: lang),
        ]
        return tcp.joined(separator: ", ") + "; " + Self.udpFlows.counted(udpFlows, lang: lang)
    }
}
