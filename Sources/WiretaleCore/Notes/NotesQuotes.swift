/// Titles and phrases of the notes that the labs and the tour quote in Chinese beside their
/// English text ("UDP vs TCP (udp/tcp区别)"), with the English reading beside each.
public enum NotesQuote: UInt8, NotesLabel {
    case udpTCPDifference, visitingAWebsite, canBroadcast, udpConnectionless, udpFastTCPSlow

    public var english: StaticString {
        switch self {
        case .udpTCPDifference: "UDP vs TCP"
        case .visitingAWebsite: "visiting a website"
        case .canBroadcast: "UDP can broadcast"
        case .udpConnectionless: "UDP is connectionless"
        case .udpFastTCPSlow: "UDP is fast, TCP is slow"
        }
    }

    /// The notes' own words.
    public var chinese: StaticString {
        switch self {
        case .udpTCPDifference: "udp/tcp区别"
        case .visitingAWebsite: "访问一个网站的过程"
        case .canBroadcast: "可以广播"
        case .udpConnectionless: "udp无连接"
        case .udpFastTCPSlow: "udp 速度快, tcp 速度慢"
        }
    }
}
