/// The check behind the `--lang zh` tests: which English words a Chinese rendering still has.
///
/// A word is a run of three or more ASCII letters. It passes when it is a technical token: an
/// acronym or a state name (all capitals: SYN, ACK, TCP, CLOSED), a field or program name of the
/// allow-list (seq, win, ttl, curl, wiretale), or part of a value (a token holding a digit, `.`,
/// `/`, `:`, `=`, `_`, `-`, `@` or `(`: addresses, host names, paths, options, calls such as
/// `connect()`). Quoted text ("…", '…', `…`) and the wire's own lines (HTTP headers after `> ` or
/// `< `, a shell line after `$ `) are values too. Anything else is an English sentence that was
/// not moved into a label table, and the test that calls this fails.
enum ChineseTextCheck {
    /// Lower-case or mixed-case words that stay as they are in Chinese output.
    static let allowed: Set<String> = [
        // Packet fields, as `read --lang zh` prints them (tcpdump's words).
        "seq", "ack", "win", "mss", "wscale", "sackOK", "length", "len", "ttl", "query", "response", "sack", "val",
        "ecr",
        // ARP and ICMP lines as tcpdump prints them (`ARP who-has A tell B`, `ARP reply A is-at M`,
        // `ICMP echo request`): a cold neighbour cache puts one in trace's evidence.
        "tell", "reply", "echo", "request",
        // Programs, commands and their words.
        "wiretale", "trace", "tour", "lab", "explain", "read", "curl", "sudo", "setcap", "eip", "command",
        "addr", "route", "dynamic", "forever", "namelookup", "connect", "appconnect", "pretransfer",
        "starttransfer", "total", "redirect", "status", "join", "Task", "Tgid", "gzip", "punycode", "operstate",
        // Names of things: protocols written in lower case, files, interface kinds, standards' names.
        "udp", "tcp", "http", "https", "hosts", "veth", "bridge", "tunnel", "Happy", "Eyeballs", "Fast", "Open",
        "memfd", "meta", "libpcap", "root", "any", "exit", "Swift", "trap",
        // The notes' own spelling: Web服务器, and its "WEb" as written.
        "Web", "WEb",
        // Units and `lab servers`' column names (PSS MiB, ctx vol/invol as /proc and getrusage say).
        "MiB", "KiB", "ctx", "vol", "invol",
        // Zeek and its conn.log field names, in the ladder's last line (`explain`).
        "Zeek", "history",
    ]

    /// Every English word of `text` that is not a technical token, with its line.
    static func englishWords(in text: String) -> [(word: String, line: String)] {
        var found: [(String, String)] = []
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = String(raw)
            let trimmed = line.drop { $0 == " " }
            if trimmed.hasPrefix("> ") || trimmed.hasPrefix("< ") || trimmed.hasPrefix("$ ") { continue }
            var rest = unquoted(line)
            // Zeek's history letters (ShADadFf) are a code, not words.
            if let r = rest.range(of: "history ") { rest = String(rest[..<r.upperBound]) }
            for token in rest.split(whereSeparator: { $0 == " " || $0 == "," || $0 == ";" || $0 == "，" || $0 == "；" }) {
                let core = token.drop { "([<".contains($0) }.reversed().drop { ".,;:)]>!?。".contains($0) }.reversed()
                let word = String(core)
                if word.contains(where: { $0.isNumber || "./:=_-@(<>[]+#*|\\'~".contains($0) }) { continue }
                for w in letterRuns(word) where w.count >= 3 {
                    if w.allSatisfy({ $0.isUppercase }) || allowed.contains(w) { continue }
                    found.append((w, line))
                }
            }
        }
        return found
    }

    /// The line without its quoted parts.
    static func unquoted(_ line: String) -> String {
        var out = ""
        var closing: Character?
        for c in line {
            if let q = closing {
                if c == q { closing = nil }
                continue
            }
            switch c {
            case "\"": closing = "\""
            case "`": closing = "`"
            case "“": closing = "”"
            default: out.append(c)
            }
        }
        return out
    }

    /// The runs of ASCII letters in `s`.
    static func letterRuns(_ s: String) -> [String] {
        var runs: [String] = []
        var current = ""
        for c in s {
            if c.isASCII && c.isLetter {
                current.append(c)
            } else if !current.isEmpty {
                runs.append(current)
                current = ""
            }
        }
        if !current.isEmpty { runs.append(current) }
        return runs
    }

    /// A readable list of what was found, for a test's message.
    static func report(_ found: [(word: String, line: String)]) -> String {
        found.prefix(40).map { "\($0.word): \($0.line)" }.joined(separator: "\n")
    }
}
