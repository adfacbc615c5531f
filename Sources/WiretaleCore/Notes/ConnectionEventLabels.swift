/// The words of a live capture's connection events (`ConnectionEvent.appendText`) around the
/// notes' terms, in English and in the notes' Chinese. `{}` marks where a value goes.
public enum ConnectionEventLabel: UInt8, NotesLabel {
    case handshakeComplete, both, closedSimultaneous, closedBy, closedByUnknown, fourSegments, threeSegments, and,
        inState, reset, resetFrom, refused

    public var english: StaticString {
        switch self {
        case .handshakeComplete: "handshake complete"
        case .both: ", both "
        case .closedSimultaneous: "closed, "
        case .closedBy: "closed by {}, "
        case .closedByUnknown: "closed, "
        case .fourSegments: "four segments"
        case .threeSegments: "three segments (the ACK rode on the FIN)"
        case .and: " and "
        case .inState: " in "
        case .reset: "aborted by RST"
        case .resetFrom: " from the "
        case .refused: "refused: nothing listens on {}, the SYN was answered by RST"
        }
    }

    public var chinese: StaticString {
        switch self {
        case .handshakeComplete: "握手完成"
        case .both: ", 双方 "
        case .closedSimultaneous: "关闭, "
        case .closedBy: "{}先关闭, "
        case .closedByUnknown: "先关闭, "
        case .fourSegments: "四次挥手(四个报文段)"
        case .threeSegments: "三个报文段(ACK随FIN)"
        case .and: "和"
        case .inState: " 进入 "
        case .reset: "被RST终止"
        case .resetFrom: ", 发送方: "
        case .refused: "连接被拒绝: {} 无人监听, SYN被RST回应"
        }
    }
}
