import WiretaleCore

/// The steps a trace reports, in the order a fetch performs them. Each names its notes letter, or
/// none for what the notes do not list (TLS, the teardown) and for wiretale's own bookkeeping.
public enum TraceStepKind: String, CaseIterable, Sendable, Codable {
    case url = "url"
    case localAddress = "local-address"
    case link = "link"
    case neighbour = "neighbour"
    case dns = "dns"
    case tcp = "tcp"
    case tls = "tls"
    case httpRequest = "http-request"
    case httpResponse = "http-response"
    case page = "page"
    case teardown = "teardown"

    /// The notes' letter for this step, nil where the notes say nothing.
    public var note: NotesStep? {
        switch self {
        case .url: .a
        case .dns: .b
        case .httpResponse: .c
        case .localAddress: .d
        case .httpRequest: .e
        case .neighbour: .f
        case .page: .g
        case .link: .h
        case .tcp: .i
        case .tls, .teardown: nil
        }
    }

    /// A short English name for the step table.
    public var title: String {
        switch self {
        case .url: "URL parse"
        case .localAddress: "local address"
        case .link: "physical link"
        case .neighbour: "data link (neighbour)"
        case .dns: "DNS lookup"
        case .tcp: "TCP connect"
        case .tls: "TLS handshake"
        case .httpRequest: "HTTP request"
        case .httpResponse: "HTTP response"
        case .page: "browser's part"
        case .teardown: "teardown"
        }
    }

    /// The short name of the step table's label column (and the timeline), in `lang`.
    public func shortTitle(_ lang: NotesLanguage) -> String {
        let label: TraceLabel =
            switch self {
            case .url: .urlTitle
            case .localAddress: .localAddressTitle
            case .link: .linkTitle
            case .neighbour: .neighbourTitle
            case .dns: .dnsTitle
            case .tcp: .tcpTitle
            case .tls: .tlsTitle
            case .httpRequest: .requestTitle
            case .httpResponse: .responseTitle
            case .page: .pageTitle
            case .teardown: .teardownTitle
            }
        return label.string(lang)
    }

    /// The short name for `--lang zh`: the notes' wording where the notes list the step, otherwise
    /// wiretale's own label, marked as not being from the notes.
    public var chineseTitle: String {
        if let note { return note.chinese }
        switch self {
        case .tls: return TraceLabel.tlsStep.chinese.description
        case .teardown: return TraceLabel.teardownStep.chinese.description
        default: return title
        }
    }
}
