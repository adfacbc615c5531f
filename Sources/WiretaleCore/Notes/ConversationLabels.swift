/// The words of `conversations`' tables (`ConversationTable`), in English and in the notes' Chinese.
/// `{}` marks where a count goes.
public enum ConversationLabel: UInt8, NotesLabel {
    case unlisted, tcpTitle, udpTitle, dnsTitle, dnsOfListed, dnsCounts, evictions, totals
    case columnHandshake, columnTeardown, columnClientEnd, columnServerEnd, columnAnomalies, columnNotes, columnName,
        columnClientToServer, noReply, multicast, multicastTo

    public var english: StaticString {
        switch self {
        case .unlisted:
            "… and {} more not listed (the table keeps its first {} rows; --max-rows raises it, --format json streams every one)\n"
        case .tcpTitle: "TCP conversations: {} (connection-oriented: handshake, teardown)\n"
        case .udpTitle: "UDP flows: {}"
        case .dnsTitle: "DNS transactions: {}"
        case .dnsOfListed: "of the {} listed: "
        case .dnsCounts: "answered {}, of which NXDOMAIN {}; unanswered {}"
        case .evictions:
            "evicted at the cap (--max-flows {}), not followed to their end: TCP connections {}, UDP flows {}, DNS queries awaiting an answer {}\n"
        case .totals:
            "totals: TCP conversations {} (three-way handshakes {}, closed by FIN {}, ended by RST after the handshake {}, SYN unanswered {}, refused {}), retransmissions {} (SYN or SYN-ACK {}); UDP flows {}; DNS queries {} (NOERROR {}, NXDOMAIN {}, unanswered {})\n"
        case .columnHandshake: "handshake"
        case .columnTeardown: "teardown"
        case .columnClientEnd: "client end"
        case .columnServerEnd: "server end"
        case .columnAnomalies: "anomalies"
        case .columnNotes: "notes"
        case .columnName: "name"
        case .columnClientToServer: "client → server"
        case .noReply: "no reply"
        case .multicast: "multicast"
        case .multicastTo: "multicast to "
        }
    }

    public var chinese: StaticString {
        switch self {
        case .unlisted: "… 另有 {} 行未列出 (表格只保留排在最前的 {} 行; --max-rows 可调高, --format json 逐个输出全部)\n"
        case .tcpTitle: "TCP 会话: {} (tcp面向连接: 三次握手, 四次挥手)\n"
        case .udpTitle: "UDP 流: {}"
        case .dnsTitle: "DNS 事务: {}"
        case .dnsOfListed: "列出的 {} 个中: "
        case .dnsCounts: "已应答 {}, 其中 NXDOMAIN {}; 无应答 {}"
        case .evictions: "超出上限 (--max-flows {}), 未能跟踪到底: TCP 连接 {}, UDP 流 {}, 待应答的DNS查询 {}\n"
        case .totals:
            "合计: TCP 会话 {} (三次握手 {}, FIN关闭 {}, 握手后被RST终止 {}, SYN无应答 {}, 被拒绝 {}), 重传 {} (其中SYN/SYN-ACK {}); UDP 流 {}; DNS 查询 {} (NOERROR {}, NXDOMAIN {}, 无应答 {})\n"
        case .columnHandshake: "握手"
        case .columnTeardown: "挥手"
        case .columnClientEnd: "客户端最终"
        case .columnServerEnd: "服务端最终"
        case .columnAnomalies: "异常"
        case .columnNotes: "备注"
        case .columnName: "名字"
        case .columnClientToServer: "客户端 → 服务端"
        case .noReply: "无应答"
        case .multicast: "组播"
        case .multicastTo: "组播到 "
        }
    }
}

/// The words of a packet's remarks (`PacketNote.appendRemarks`, on `read`'s lines and `explain`'s
/// ladder) around the notes' terms. `{}` marks where a value goes.
public enum PacketRemarkLabel: UInt8, NotesLabel {
    case broadcast, multicast, dnsAnswers, ackHolds, ackNot, streamBecame, streamToTLS

    public var english: StaticString {
        switch self {
        case .broadcast: "broadcast (UDP can broadcast)"
        case .multicast: "multicast"
        case .dnsAnswers: "answers the query in frame {} after {} ms"
        case .ackHolds: ": ack = {} holds"
        case .ackNot: ": ack = {}, not {} = {}"
        case .streamBecame: "the {} stream became {} (no longer parsed)"
        case .streamToTLS: "the {} stream switched to TLS"
        }
    }

    public var chinese: StaticString {
        switch self {
        case .broadcast: "广播 (udp可以广播)"
        case .multicast: "组播"
        case .dnsAnswers: "回应第 {} 帧的查询, 用时 {} ms"
        case .ackHolds: ", 检查 ack = {} 正确"
        case .ackNot: ": ack = {}, 不是 {} = {}"
        case .streamBecame: "{} 流变成了 {} (不再解析)"
        case .streamToTLS: "{} 流切换到 TLS"
        }
    }
}

extension TCPAnomalies {
    /// The kinds, by bit index: the JSON key, Wireshark's label, and a Chinese label.
    public static let names: [(json: StaticString, wireshark: StaticString, chinese: StaticString)] = [
        ("retransmission", "TCP Retransmission", "重传"),
        ("fast_retransmission", "TCP Fast Retransmission", "快速重传"),
        ("spurious_retransmission", "TCP Spurious Retransmission", "虚假重传"),
        ("out_of_order", "TCP Out-Of-Order", "乱序"),
        ("previous_segment_not_captured", "TCP Previous segment not captured", "前一报文段未捕获"),
        ("acked_unseen_segment", "TCP ACKed unseen segment", "确认了未捕获的报文段"),
        ("duplicate_ack", "TCP Dup ACK", "重复确认"),
        ("zero_window", "TCP ZeroWindow", "零窗口"),
        ("zero_window_probe", "TCP ZeroWindowProbe", "零窗口探测"),
        ("zero_window_probe_ack", "TCP ZeroWindowProbeAck", "零窗口探测确认"),
        ("window_full", "TCP Window Full", "窗口已满"),
        ("window_update", "TCP Window Update", "窗口更新"),
        ("keep_alive", "TCP Keep-Alive", "保活"),
        ("keep_alive_ack", "TCP Keep-Alive ACK", "保活确认"),
        ("ports_reused", "TCP Port numbers reused", "端口号重用"),
    ]

    /// Wireshark's label for the kind at bit `index`, or the Chinese one.
    public static func label(index: Int, _ lang: NotesLanguage) -> StaticString {
        lang == .zh ? names[index].chinese : names[index].wireshark
    }
}
