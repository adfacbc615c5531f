/// Which step of the notes' handshake (section 1, 三次握手) or teardown (section 2, 四次挥手) a
/// segment is, or which deviation from them. One byte, carried in every `PacketNote`.
///
/// The names here are the notes' vocabulary, spelled once: `english` for `--lang en`, `chinese`
/// quoting the notes' own terms (第一次握手 …, 连接释放报文段 for a FIN, 确认报文段 for an ACK).
public enum ConnectionStep: UInt8, Sendable, CaseIterable {
    case none
    /// SYN=1, seq=x: the client opens (CLOSED → SYN-SENT).
    case handshake1
    /// SYN=1, ACK=1, ack=x+1, seq=y: the server answers (→ SYN-RCVD).
    case handshake2
    /// ACK=1, ack=y+1: the client confirms; both ESTABLISHED.
    case handshake3
    /// The same SYN (same x) sent again: the first one went unanswered.
    case synRetransmitted
    /// The same SYN-ACK (same y) sent again.
    case synAckRetransmitted
    /// A SYN from the other side while the first SYN is unanswered: both open at once (RFC 9293 3.5).
    case simultaneousOpen
    /// A RST answering a SYN: nobody listens on that port (connection refused).
    case refused
    /// The first FIN (连接释放报文段): its sender enters FIN-WAIT-1.
    case teardown1
    /// The other side's ACK of that FIN (确认报文段): it enters CLOSE-WAIT, the first closer FIN-WAIT-2.
    case teardown2
    /// The other side's own FIN: it enters LAST-ACK.
    case teardown3
    /// The last ACK: the first closer enters TIME-WAIT, the other side CLOSED.
    case teardown4
    /// The other side's FIN carrying the ACK of the first FIN: steps 2 and 3 in one segment.
    case teardown2and3
    /// A FIN that crosses the other side's FIN: both close at once (FIN-WAIT-1 → CLOSING).
    case simultaneousClose
    /// A FIN sent again (same sequence number).
    case finRetransmitted
    /// Data sent after the other side's FIN: the connection is half-closed, data still flows this way.
    case halfCloseData
    /// A RST: the connection is aborted, no FIN exchange.
    case reset
    /// A RST from a side in SYN-SENT: it answers an unacceptable ACK (RFC 9293 3.10.7.3) and the
    /// side stays in SYN-SENT; the connection never opened, so nothing is aborted.
    case rstUnacceptableAck

    public var english: StaticString {
        switch self {
        case .none: ""
        case .handshake1: "first handshake (SYN)"
        case .handshake2: "second handshake (SYN+ACK)"
        case .handshake3: "third handshake (ACK)"
        case .synRetransmitted: "first handshake again (SYN retransmitted)"
        case .synAckRetransmitted: "second handshake again (SYN+ACK retransmitted)"
        case .simultaneousOpen: "simultaneous open (both sides sent SYN)"
        case .refused: "connection refused (RST answers the SYN)"
        case .teardown1: "teardown 1 (FIN)"
        case .teardown2: "teardown 2 (ACK of the FIN)"
        case .teardown3: "teardown 3 (the other side's FIN)"
        case .teardown4: "teardown 4 (last ACK)"
        case .teardown2and3: "teardown 2+3 (ACK rides on the FIN)"
        case .simultaneousClose: "simultaneous close (FINs cross)"
        case .finRetransmitted: "FIN retransmitted"
        case .halfCloseData: "half-close: data after the other side's FIN"
        case .reset: "abort (RST)"
        case .rstUnacceptableAck: "RST answering an unacceptable ACK (SYN-SENT)"
        }
    }

    public var chinese: StaticString {
        switch self {
        case .none: ""
        case .handshake1: "第一次握手"
        case .handshake2: "第二次握手"
        case .handshake3: "第三次握手"
        case .synRetransmitted: "第一次握手重传"
        case .synAckRetransmitted: "第二次握手重传"
        case .simultaneousOpen: "同时打开(双方都发SYN)"
        case .refused: "连接被拒绝(RST回应SYN)"
        case .teardown1: "第一次挥手(连接释放报文段)"
        case .teardown2: "第二次挥手(确认报文段)"
        case .teardown3: "第三次挥手(连接释放报文段)"
        case .teardown4: "第四次挥手(确认报文段)"
        case .teardown2and3: "第二、三次挥手合并(确认随连接释放报文段)"
        case .simultaneousClose: "同时关闭(双方FIN交叉)"
        case .finRetransmitted: "连接释放报文段重传"
        case .halfCloseData: "半关闭: 对方FIN之后仍发送数据"
        case .reset: "RST异常终止"
        case .rstUnacceptableAck: "RST回应不可接受的ACK(SYN-SENT)"
        }
    }

    public func label(_ lang: NotesLanguage) -> StaticString {
        lang == .zh ? chinese : english
    }

    /// The machine-readable name (`read --format json`'s `notes.step`).
    public var code: StaticString {
        switch self {
        case .none: "none"
        case .handshake1: "handshake-1"
        case .handshake2: "handshake-2"
        case .handshake3: "handshake-3"
        case .synRetransmitted: "syn-retransmitted"
        case .synAckRetransmitted: "synack-retransmitted"
        case .simultaneousOpen: "simultaneous-open"
        case .refused: "refused"
        case .teardown1: "teardown-1"
        case .teardown2: "teardown-2"
        case .teardown3: "teardown-3"
        case .teardown4: "teardown-4"
        case .teardown2and3: "teardown-2-3"
        case .simultaneousClose: "simultaneous-close"
        case .finRetransmitted: "fin-retransmitted"
        case .halfCloseData: "half-close-data"
        case .reset: "reset"
        case .rstUnacceptableAck: "rst-unacceptable-ack"
        }
    }

    /// A segment of the opening (handshake or its deviations).
    public var isHandshake: Bool {
        switch self {
        case .handshake1, .handshake2, .handshake3, .synRetransmitted, .synAckRetransmitted, .simultaneousOpen,
            .refused, .rstUnacceptableAck:
            true
        default: false
        }
    }

    /// A segment of the closing (teardown, or its deviations).
    public var isTeardown: Bool {
        switch self {
        case .teardown1, .teardown2, .teardown3, .teardown4, .teardown2and3, .simultaneousClose, .finRetransmitted,
            .halfCloseData, .reset:
            true
        default: false
        }
    }
}

/// How a connection opened, compared with the notes' three-way handshake.
public enum HandshakeKind: UInt8, Sendable, CaseIterable {
    /// SYN, SYN-ACK, ACK, as the notes describe.
    case threeWay
    /// Both sides sent a SYN (RFC 9293 3.5, figure 8); four segments, no client and server as such.
    case simultaneousOpen
    /// The SYN was answered by a RST: refused.
    case refused
    /// SYNs only, never answered.
    case unanswered
    /// The server answered with SYN-ACK, but its ACK never came.
    case synAckUnacknowledged
    /// The capture began after the handshake: "joined mid-stream".
    case joinedMidStream
    /// Some handshake segments seen, but not the whole exchange (e.g. SYN missing, SYN-ACK and ACK seen).
    case partial

    public var english: StaticString {
        switch self {
        case .threeWay: "three-way handshake"
        case .simultaneousOpen: "simultaneous open"
        case .refused: "refused (RST)"
        case .unanswered: "SYN unanswered"
        case .synAckUnacknowledged: "SYN-ACK never acknowledged"
        case .joinedMidStream: "joined mid-stream"
        case .partial: "partial handshake"
        }
    }

    public var chinese: StaticString {
        switch self {
        case .threeWay: "三次握手"
        case .simultaneousOpen: "同时打开"
        case .refused: "连接被拒绝(RST)"
        case .unanswered: "SYN无应答"
        case .synAckUnacknowledged: "第二次握手未被确认"
        case .joinedMidStream: "中途加入(未见握手)"
        case .partial: "握手不完整"
        }
    }

    public func label(_ lang: NotesLanguage) -> StaticString { lang == .zh ? chinese : english }

    /// The machine-readable name (JSON `handshake_kind`).
    public var code: StaticString {
        switch self {
        case .threeWay: "three-way"
        case .simultaneousOpen: "simultaneous-open"
        case .refused: "refused"
        case .unanswered: "unanswered"
        case .synAckUnacknowledged: "synack-unacknowledged"
        case .joinedMidStream: "joined-mid-stream"
        case .partial: "partial"
        }
    }
}

/// How a connection closed, compared with the notes' four-way teardown.
public enum TeardownKind: UInt8, Sendable, CaseIterable {
    /// Not closed while the capture lasted.
    case none
    /// FIN, ACK, FIN, ACK: the notes' four segments.
    case fourWay
    /// FIN, FIN+ACK, ACK: the passive side's ACK rides on its FIN.
    case threeWay
    /// Both FINs crossed: both sides went FIN-WAIT-1 → CLOSING → TIME-WAIT.
    case simultaneous
    /// One FIN (or both) seen, but the exchange did not finish in the capture.
    case incomplete
    /// A RST ended the connection instead of (or in the middle of) a FIN exchange.
    case reset
    /// A RST came before either side was ESTABLISHED (refused, or answering an unacceptable ACK):
    /// the connection never opened, so there was nothing to close or abort.
    case neverOpened

    public var english: StaticString {
        switch self {
        case .none: "not closed"
        case .fourWay: "four-way teardown"
        case .threeWay: "three-segment close"
        case .simultaneous: "simultaneous close"
        case .incomplete: "teardown incomplete"
        case .reset: "aborted by RST"
        case .neverOpened: "never opened"
        }
    }

    public var chinese: StaticString {
        switch self {
        case .none: "未关闭"
        case .fourWay: "四次挥手"
        case .threeWay: "三次挥手(ACK随FIN)"
        case .simultaneous: "同时关闭"
        case .incomplete: "挥手未完成"
        case .reset: "RST异常终止"
        case .neverOpened: "连接未建立"
        }
    }

    public func label(_ lang: NotesLanguage) -> StaticString { lang == .zh ? chinese : english }

    /// The machine-readable name (JSON `teardown`).
    public var code: StaticString {
        switch self {
        case .none: "none"
        case .fourWay: "four-way"
        case .threeWay: "three-segment"
        case .simultaneous: "simultaneous"
        case .incomplete: "incomplete"
        case .reset: "reset"
        case .neverOpened: "never-opened"
        }
    }
}

extension StateCorrections {
    /// Why the segment corrects an inference, as `read` and `explain` say it (kind at bit `index`).
    public static func label(index: Int, _ lang: NotesLanguage) -> StaticString {
        switch (index, lang) {
        case (0, .en):
            "correction: this FIN does not acknowledge the other side's FIN, so its sender had not received it: it was ESTABLISHED, not CLOSE-WAIT, and goes FIN-WAIT-1 → CLOSING (the FINs crossed)"
        case (0, .zh): "更正: 此FIN未确认对方的FIN, 发送方当时还没收到它: 处于ESTABLISHED而非CLOSE-WAIT, 经 FIN-WAIT-1 → CLOSING (双方FIN交叉)"
        case (1, .en):
            "correction: the RST answers the SYN, so nothing listened: that side stayed CLOSED, never LISTEN or SYN-RCVD"
        case (1, .zh): "更正: RST回应SYN, 说明无人监听: 该端一直是CLOSED, 从未LISTEN或SYN-RCVD"
        case (2, .en):
            "correction: this side sent its own SYN, so it had not received the other's: it opened too (SYN-SENT), it was not LISTEN or SYN-RCVD"
        case (2, .zh): "更正: 该端自己发了SYN, 当时还没收到对方的SYN: 它也在主动打开(SYN-SENT), 不是LISTEN或SYN-RCVD"
        case (3, .en):
            "correction: the SYN is answered by a bare ACK, not a SYN+ACK: that side did not take it as a new connection, it was not LISTEN or SYN-RCVD"
        case (3, .zh): "更正: SYN得到的是单独的ACK而不是SYN+ACK: 该端没有把它当作新连接, 不是LISTEN或SYN-RCVD"
        case (_, .en):
            "the original SYN, captured after the SYN+ACK that answers it (out of order), not a retransmission"
        case (_, .zh): "这是原始的SYN, 抓包顺序晚于回应它的SYN+ACK(乱序), 不是重传"
        }
    }
}

/// Fixed phrases the renderers put around the notes' terms, in both languages: labels, and the
/// plain-language remarks `explain` makes where what the capture shows differs from the notes.
public enum NotesPhrase: UInt8, Sendable, CaseIterable {
    case client, server, handshake, teardown, timeWait2MSL, captureEnded, notesSayBothClosed, udpConnectionless,
        broadcast, multicast, clientEstablishedOnSynAck, threeSegmentClose, simultaneousClose, halfClose, resetAbort,
        refused, synRetransmitted, simultaneousOpen, dataOnSyn, joinedMidStream, leftWhenCaptureEnded,
        ackCheckFailed, rstAfterClose, rstUnacceptableAck, correctedTo

    public var english: StaticString {
        switch self {
        case .client: "client"
        case .server: "server"
        case .handshake: "three-way handshake"
        case .teardown: "four-way teardown"
        case .timeWait2MSL: "waits 2MSL in TIME-WAIT, then CLOSED"
        case .captureEnded: "capture ended here"
        case .notesSayBothClosed: "the notes start both ends CLOSED; a server that accepts is in LISTEN"
        case .udpConnectionless: "UDP: connectionless, no handshake, no teardown"
        case .broadcast: "broadcast"
        case .multicast: "multicast"
        case .clientEstablishedOnSynAck:
            "the client is ESTABLISHED once the SYN+ACK checks out; the notes say so at the third step"
        case .threeSegmentClose: "the notes' steps 2 and 3 are one segment: B had nothing more to send"
        case .simultaneousClose: "both sent FIN at once: FIN-WAIT-1 → CLOSING → TIME-WAIT on both sides"
        case .halfClose: "data after A's FIN: A closed only its sending half (half-close)"
        case .resetAbort: "a RST ends the connection at once: no four-way teardown, no TIME-WAIT"
        case .refused: "nothing listens on that port: the SYN is answered by RST (connection refused)"
        case .synRetransmitted: "no answer to the SYN: it is sent again with the same x"
        case .simultaneousOpen: "both sides sent SYN: a simultaneous open, four segments, no LISTEN"
        case .dataOnSyn: "the SYN carries data (TCP Fast Open), which the notes do not describe"
        case .joinedMidStream: "the capture began after the handshake: earlier states are not seen"
        case .leftWhenCaptureEnded: "left when the capture ended"
        case .ackCheckFailed: "the acknowledgment number is not the one the notes require"
        case .rstAfterClose: "a RST after the close: the other side had already gone"
        case .rstUnacceptableAck:
            "in SYN-SENT an unacceptable ACK is answered by a RST, and the side stays SYN-SENT (RFC 9293 3.10.7.3)"
        case .correctedTo: " corrected to "
        }
    }

    public var chinese: StaticString {
        switch self {
        case .client: "客户端"
        case .server: "服务端"
        case .handshake: "三次握手"
        case .teardown: "四次挥手"
        case .timeWait2MSL: "经过等待计时器时间2MSL后, 进入CLOSED状态"
        case .captureEnded: "抓包到此结束"
        case .notesSayBothClosed: "笔记说起初两端都处于CLOSED; 接受连接的服务端实为LISTEN"
        case .udpConnectionless: "udp无连接: 没有握手, 没有挥手"
        case .broadcast: "广播"
        case .multicast: "组播"
        case .clientEstablishedOnSynAck: "客户端检查ack=x+1正确即进入ESTABLISHED; 笔记写在第三次握手"
        case .threeSegmentClose: "笔记的第2、3步合为一个报文段: B已没有要发的数据"
        case .simultaneousClose: "双方同时发出连接释放报文段: 都经 FIN-WAIT-1 → CLOSING → TIME-WAIT"
        case .halfClose: "A发出连接释放报文段后B仍在发数据: A只关闭了发送方向(半关闭)"
        case .resetAbort: "RST立即终止连接: 没有四次挥手, 也没有TIME-WAIT"
        case .refused: "该端口无人监听: SYN被RST回应(连接被拒绝)"
        case .synRetransmitted: "SYN无应答: 以同一个seq=x重发"
        case .simultaneousOpen: "双方都发了SYN: 同时打开, 四个报文段, 没有LISTEN"
        case .dataOnSyn: "SYN携带数据(TCP Fast Open), 笔记未提及"
        case .joinedMidStream: "抓包开始于握手之后: 之前的状态看不到"
        case .leftWhenCaptureEnded: "抓包结束时停留在"
        case .ackCheckFailed: "确认号不是笔记要求的值"
        case .rstAfterClose: "关闭之后的RST: 对方已经不在了"
        case .rstUnacceptableAck: "SYN-SENT状态下对不可接受的ACK回以RST, 该端仍处于SYN-SENT (RFC 9293 3.10.7.3)"
        case .correctedTo: " 更正为 "
        }
    }

    public func label(_ lang: NotesLanguage) -> StaticString { lang == .zh ? chinese : english }
}
