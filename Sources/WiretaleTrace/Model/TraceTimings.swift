/// curl's `-w` figures (`time_namelookup` ... `time_total`), worked out from the steps' own times:
/// the httpstat box and JSON's `timings` use these, so they agree with the timeline to the digit.
///
/// Each figure is cumulative, in milliseconds since the fetch began, with curl's meaning:
/// `namelookup` the end of step b; `connect` the end of step i (the handshake that won);
/// `appconnect` the end of the TLS handshake (nil without TLS); `pretransfer` the request written
/// (curl sets it once the request has been sent); `starttransfer` the response's first byte read;
/// `total` the response's last byte.
///
/// With redirects (-L) curl restarts a hop's clock at each hop and adds each hop's figure to the
/// running sum (libcurl's `Curl_pgrsTime`: `*delta += now - t_startsingle`), while `total` runs
/// from the very start and `redirect` is when the last hop began. These figures do the same: each
/// hop's figures are measured from its start (its step a) and summed over the hops.
public struct TraceTimings: Sendable, Equatable {
    public var namelookupMs: Double?
    public var connectMs: Double?
    public var appconnectMs: Double?
    public var pretransferMs: Double?
    public var starttransferMs: Double?
    public var totalMs: Double?
    /// curl's `time_redirect`: when the last hop began (0 without redirects).
    public var redirectMs: Double

    public init(
        namelookupMs: Double? = nil, connectMs: Double? = nil, appconnectMs: Double? = nil,
        pretransferMs: Double? = nil, starttransferMs: Double? = nil, totalMs: Double? = nil, redirectMs: Double = 0
    ) {
        self.namelookupMs = namelookupMs
        self.connectMs = connectMs
        self.appconnectMs = appconnectMs
        self.pretransferMs = pretransferMs
        self.starttransferMs = starttransferMs
        self.totalMs = totalMs
        self.redirectMs = redirectMs
    }

    public init(steps: [TraceStep]) {
        self.init()
        let hops = Set(steps.map(\.hop)).sorted()
        func add(_ sum: inout Double?, _ v: Double?) {
            guard let v else { return }
            sum = (sum ?? 0) + max(0, v)
        }
        for hop in hops {
            let mine = steps.filter { $0.hop == hop && !$0.beforeFetch }
            func step(_ k: TraceStepKind) -> TraceStep? { mine.last { $0.kind == k } }
            let start = hop == 0 ? 0 : (step(.url)?.startMs ?? mine.map(\.startMs).min() ?? 0)
            if hop == hops.last { redirectMs = start }
            // A skipped step (an address literal, a reused connection) is done when it is reached.
            func end(_ s: TraceStep?) -> Double? {
                guard let s, s.status != .failed else { return nil }
                return (s.status == .skipped ? s.startMs : s.endMs) - start
            }
            add(&namelookupMs, end(step(.dns)))
            add(&connectMs, end(step(.tcp)))
            if let tls = step(.tls) { add(&appconnectMs, end(tls)) }
            if let e = step(.httpRequest), e.status == .ok { add(&pretransferMs, e.endMs - start) }
            if let c = step(.httpResponse), case .double(let first)? = c.detail["first_byte_ms"] {
                add(&starttransferMs, first - start)
            }
        }
        let last = hops.last ?? 0
        // The response's last byte, also for a 4xx/5xx (a failed step that did get its response).
        let response = steps.last { $0.kind == .httpResponse && $0.hop == last }
        if let c = response, c.status == .ok || c.detail["status"] != nil {
            totalMs = c.endMs
        } else {
            // A failed fetch: curl's total is when it gave up.
            let timed = steps.filter { !$0.beforeFetch && $0.status != .skipped }
            totalMs = timed.filter { $0.kind != .page }.map(\.endMs).max()
        }
    }
}
