/// What `wiretale trace` was asked to do.
public struct TraceOptions: Sendable {
    public enum Family: String, Sendable {
        case any, ipv4, ipv6
    }

    public var url: String
    /// `--resolver IP[:port]`: ask this server instead of those in resolv.conf.
    public var resolver: DNSServer?
    public var family: Family = .any
    /// `--timeout SECONDS`: the longest any one step may take (DNS, connect, TLS, response).
    public var timeoutSeconds: Double = 10
    /// `-L` / `--max-redirects N`: how many redirects to follow (0: report the redirect, stop).
    public var maxRedirects = 0
    public var insecure = false
    public var caFile: String?
    /// `-w FILE`: where to save the captured packets (pcap).
    public var writeFile: String?
    public var resolvConfPath = "/etc/resolv.conf"
    public var hostsPath = "/etc/hosts"
    public var userAgent = "wiretale/\(TraceVersion.string)"

    public init(url: String) {
        self.url = url
    }

    var timeoutMs: Double { timeoutSeconds * 1000 }

    /// The longest `--timeout` accepted, in seconds.
    public static let maxTimeoutSeconds = 600.0

    /// Why `timeoutSeconds` cannot be used, or nil: it must be a number above 0 and at most
    /// `maxTimeoutSeconds` (NaN and infinities are refused). The command line checks it in
    /// `validate()`; `TraceRunner.run` checks it again for library callers.
    public static func timeoutProblem(_ seconds: Double) -> String? {
        guard seconds.isFinite, seconds > 0, seconds <= maxTimeoutSeconds else {
            return "--timeout \(seconds): expected a number of seconds above 0 and at most \(Int(maxTimeoutSeconds))"
        }
        return nil
    }
}

public enum TraceVersion {
    public static let string = "0.1"
}
