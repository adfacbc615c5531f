/// The notes' section 4, "访问一个网站的过程" (visiting a website): the nine steps a..i in the notes'
/// own order, with their English reading and the notes' Chinese wording.
///
/// This is the one place the letters and their names are spelled: `trace` ties each step of a real
/// fetch to its letter, `tour` lists them beside what it observed, and every renderer (text, JSON)
/// draws from here. The letters are the notes' listing order, not the order a fetch happens in
/// (a real fetch goes d, h, f, then a, b, i, e, c, g).
public enum NotesStep: Character, CaseIterable, Sendable, Comparable, CustomStringConvertible {
    case a = "a"
    case b = "b"
    case c = "c"
    case d = "d"
    case e = "e"
    case f = "f"
    case g = "g"
    case h = "h"
    case i = "i"

    /// The notes' listing order: a, b, c, ... i.
    public static let notesOrder: [NotesStep] = NotesStep.allCases

    /// The English reading used by `--lang en`.
    public var english: String {
        switch self {
        case .a: "parse the page's URL to get the web server's domain name"
        case .b: "get the web server's IP address from the DNS server"
        case .c: "get the document the URL names from the web server"
        case .d: "get the PC's own IP address"
        case .e: "set up the HTTP connection with the web server"
        case .f: "set up the data link with the access router"
        case .g: "the browser interprets the page and shows it"
        case .h: "set up the physical-layer connection with the access router"
        case .i: "set up the TCP connection with the web server"
        }
    }

    /// The notes' own wording, quoted for `--lang zh`.
    public var chinese: String {
        switch self {
        case .a: "解析WEB页面的URL，得到Web服务器的域名"
        case .b: "通过DNS服务器获得Web服务器的IP地址"
        case .c: "从WEB服务器获得URL指定的文档"
        case .d: "获得PC机的IP地址"
        case .e: "与Web服务器建立HTTP连接"
        case .f: "与访问路由器建立数据链路"
        case .g: "浏览器解释页面文档，并显示在屏幕"
        case .h: "访问路由器建立物理层连接"
        case .i: "与WEb服务器建立TCP连接"
        }
    }

    /// The English reading or the notes' wording, as `lang` asks.
    public func label(_ lang: NotesLanguage) -> String { lang == .zh ? chinese : english }

    /// The letter itself: "a" ... "i".
    public var letter: String { String(rawValue) }
    public var description: String { letter }

    public static func < (a: NotesStep, b: NotesStep) -> Bool { a.rawValue < b.rawValue }
}
