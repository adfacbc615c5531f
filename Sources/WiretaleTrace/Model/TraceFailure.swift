import WiretaleCore

/// Why a trace stopped, sorted into classes that each have their own exit code, so scripts can tell
/// a DNS problem from a refused connection without reading the text.
///
/// | exit | class |
/// | --- | --- |
/// | 0 | the page was fetched (2xx or 3xx at the last hop) |
/// | 3 | the URL is invalid (step a) |
/// | 4 | no route / no local address for the destination (step d) |
/// | 5 | DNS: the name does not exist (NXDOMAIN) or has no address of the asked family (step b) |
/// | 6 | DNS: the server failed, refused or never answered (step b) |
/// | 7 | TCP: connection refused, RST (step i) |
/// | 8 | TCP: connect timed out, SYN unanswered (step i) |
/// | 9 | TLS: handshake or certificate verification failed |
/// | 10 | HTTP: 4xx client error (step c) |
/// | 11 | HTTP: 5xx server error (step c) |
/// | 12 | HTTP: the exchange broke (reset, timeout, malformed response, too many redirects) |
/// | 13 | local problem: a file given on the command line could not be read, and the like |
public enum FailureClass: Int32, Sendable, CaseIterable {
    case invalidURL = 3
    case noRoute = 4
    case dnsNoName = 5
    case dnsNoAnswer = 6
    case connectionRefused = 7
    case connectTimeout = 8
    case tls = 9
    case httpClientError = 10
    case httpServerError = 11
    case httpBroken = 12
    case local = 13

    public var exitCode: Int32 { rawValue }

    /// The class's name (JSON `class`, and the English text).
    public var label: String { english.description }
}

extension FailureClass: NotesLabel {
    public var english: StaticString {
        switch self {
        case .invalidURL: "invalid URL"
        case .noRoute: "no route"
        case .dnsNoName: "DNS: no such name"
        case .dnsNoAnswer: "DNS: no answer"
        case .connectionRefused: "connection refused"
        case .connectTimeout: "connect timeout"
        case .tls: "TLS failure"
        case .httpClientError: "HTTP client error"
        case .httpServerError: "HTTP server error"
        case .httpBroken: "HTTP exchange broken"
        case .local: "local problem"
        }
    }

    public var chinese: StaticString {
        switch self {
        case .invalidURL: "URL无效"
        case .noRoute: "没有路由"
        case .dnsNoName: "DNS: 没有这个名字"
        case .dnsNoAnswer: "DNS: 没有应答"
        case .connectionRefused: "连接被拒绝"
        case .connectTimeout: "连接超时"
        case .tls: "TLS失败"
        case .httpClientError: "HTTP客户端错误"
        case .httpServerError: "HTTP服务端错误"
        case .httpBroken: "HTTP交换中断"
        case .local: "本地问题"
        }
    }
}

/// A failure at one step: which step, why (one line), and what the user can do, in both languages.
public struct TraceFailure: Error, Sendable {
    public var step: TraceStepKind
    public var failureClass: FailureClass
    public var reason: Bilingual
    public var hintText: Bilingual?

    /// Why, in English (JSON `why`).
    public var why: String { reason.english }
    /// What to do, in English (JSON `hint`).
    public var hint: String? { hintText?.english }

    public init(_ step: TraceStepKind, _ failureClass: FailureClass, _ why: Bilingual, hint: Bilingual? = nil) {
        self.step = step
        self.failureClass = failureClass
        self.reason = why
        self.hintText = hint
    }

    /// A failure whose text reads the same in both languages.
    public init(_ step: TraceStepKind, _ failureClass: FailureClass, _ why: String, hint: String? = nil) {
        self.init(step, failureClass, Bilingual(verbatim: why), hint: hint.map(Bilingual.init(verbatim:)))
    }
}
