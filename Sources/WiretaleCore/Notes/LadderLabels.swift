/// The words of `explain`'s ladder (`Ladder`) around the notes' terms, in English and in the
/// notes' Chinese. `{}` marks where a value goes.
public enum LadderLabel: UInt8, NotesLabel {
    case undrawn, noSuchStream, stream, columnTime, handshake, relativeZero, synAckAck, thirdAck, synRetransmitted,
        handshakeRTT, teardown, firstFIN, rstFrom, halfClose, anomalies, columnFrame, zeek

    public var english: StaticString {
        switch self {
        case .undrawn: "… and {} more segments not drawn (the ladder holds its first {}; --max-segments raises it)\n"
        case .noSuchStream: "no such TCP stream\n"
        case .stream: "TCP stream {}: "
        case .columnTime: "+ms"
        case .handshake: "handshake: "
        case .relativeZero: " (relative 0)"
        case .synAckAck: "; the SYN+ACK's ack = "
        case .thirdAck: "; the third segment's ack = "
        case .synRetransmitted: "  SYN retransmitted {} time(s)\n"
        case .handshakeRTT: "  handshake RTT {} ms\n"
        case .teardown: "teardown: "
        case .firstFIN: "; first FIN from the {} (the notes' A)"
        case .rstFrom: "; RST from the "
        case .halfClose: "; half-close: {} bytes after the first FIN"
        case .anomalies: "anomalies: "
        case .columnFrame: "frame"
        case .zeek: "\nZeek: conn_state {}, history {}\n"
        }
    }

    public var chinese: StaticString {
        switch self {
        case .undrawn: "… 另有 {} 个报文段未画出 (只画前 {} 个; --max-segments 可调高)\n"
        case .noSuchStream: "没有这个TCP流\n"
        case .stream: "TCP 流 {}: "
        case .columnTime: "时间(ms)"
        case .handshake: "握手: "
        case .relativeZero: " (相对 0)"
        case .synAckAck: "; SYN+ACK 的 ack = "
        case .thirdAck: "; 第三次握手的 ack = "
        case .synRetransmitted: "  SYN 重传 {} 次\n"
        case .handshakeRTT: "  握手往返时间 {} ms\n"
        case .teardown: "挥手: "
        case .firstFIN: "; 先发FIN的是{} (笔记中的A)"
        case .rstFrom: "; RST 来自"
        case .halfClose: "; 半关闭后又发送 {} 字节"
        case .anomalies: "异常: "
        case .columnFrame: "帧"
        case .zeek: "\nZeek conn.log: 连接状态 conn_state {}, 历史 history {}\n"
        }
    }
}
