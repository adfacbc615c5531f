/// A TCP endpoint's state, with the names the notes use (RFC 9293 section 3.3.2; the notes'
/// sections 1 and 2). wiretale infers each side's state from the segments it sees; the capture
/// cannot see inside either host, so a state is what the segments on the wire imply.
///
/// This is the one place the state names are spelled, in English and in Chinese: every renderer
/// (`read`, `conversations`, `explain`, JSON) draws from here.
public enum TCPState: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case closed
    case listen
    case synSent
    case synReceived
    case established
    case finWait1
    case finWait2
    case closeWait
    case closing
    case lastAck
    case timeWait

    /// The RFC name, as the notes write it: "SYN-SENT", "FIN-WAIT-1", ...
    public var name: StaticString {
        switch self {
        case .closed: "CLOSED"
        case .listen: "LISTEN"
        case .synSent: "SYN-SENT"
        case .synReceived: "SYN-RCVD"
        case .established: "ESTABLISHED"
        case .finWait1: "FIN-WAIT-1"
        case .finWait2: "FIN-WAIT-2"
        case .closeWait: "CLOSE-WAIT"
        case .closing: "CLOSING"
        case .lastAck: "LAST-ACK"
        case .timeWait: "TIME-WAIT"
        }
    }

    /// The Chinese term: the notes' own wording where they give one ("CLOSED关闭", "ESTABLISHED(已连接)"),
    /// otherwise the usual textbook term. The RFC name stays in front, as the notes write it.
    public var chinese: StaticString {
        switch self {
        case .closed: "CLOSED(关闭)"
        case .listen: "LISTEN(监听)"
        case .synSent: "SYN-SENT(同步已发送)"
        case .synReceived: "SYN-RCVD(同步已收到)"
        case .established: "ESTABLISHED(已连接)"
        case .finWait1: "FIN-WAIT-1(终止等待1)"
        case .finWait2: "FIN-WAIT-2(终止等待2)"
        case .closeWait: "CLOSE-WAIT(关闭等待)"
        case .closing: "CLOSING(同时关闭)"
        case .lastAck: "LAST-ACK(最后确认)"
        case .timeWait: "TIME-WAIT(时间等待)"
        }
    }

    public func label(_ lang: NotesLanguage) -> StaticString {
        lang == .zh ? chinese : name
    }

    public var description: String { name.description }

    /// The state for the Linux kernel's number for it (`include/net/tcp_states.h`), as
    /// `/proc/net/tcp`'s `st` column and `TCP_INFO`'s `tcpi_state` give it; nil for a number the
    /// kernel does not define. Linux has no separate number for SYN-RCVD's request sockets and
    /// bound sockets: TCP_NEW_SYN_RECV (12), a request waiting for the handshake's third segment,
    /// is SYN-RCVD like TCP_SYN_RECV (3); TCP_CLOSE (7) and TCP_BOUND_INACTIVE (13), a socket bound
    /// to a port but neither listening nor connected, are CLOSED.
    public init?(linuxState: UInt8) {
        switch linuxState {
        case 1: self = .established  // TCP_ESTABLISHED
        case 2: self = .synSent  // TCP_SYN_SENT
        case 3, 12: self = .synReceived  // TCP_SYN_RECV, TCP_NEW_SYN_RECV
        case 4: self = .finWait1  // TCP_FIN_WAIT1
        case 5: self = .finWait2  // TCP_FIN_WAIT2
        case 6: self = .timeWait  // TCP_TIME_WAIT
        case 7, 13: self = .closed  // TCP_CLOSE, TCP_BOUND_INACTIVE
        case 8: self = .closeWait  // TCP_CLOSE_WAIT
        case 9: self = .lastAck  // TCP_LAST_ACK
        case 10: self = .listen  // TCP_LISTEN
        case 11: self = .closing  // TCP_CLOSING
        default: return nil
        }
    }
}
