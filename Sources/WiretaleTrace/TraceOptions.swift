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
}

public enum TraceVersion {
    public static let string = "0.1"
}
