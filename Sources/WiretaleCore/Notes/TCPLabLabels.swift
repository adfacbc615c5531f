/// The words of `lab tcp` (`TCPLab`): each scenario's title, what each call does in the notes'
/// terms and what it returned, in English and in the notes' Chinese. `{}` marks where a value goes
/// (a port, an actor's name from `LabLabel`); the RFC state names stay in both languages.
public enum TCPLabLabel: UInt8, NotesLabel {
    case titleClientCloses, titleServerCloses, titleAbort, titleServerAborts, titleHalfClose, titleRefused
    case portClosed, portClosedMeaning, refusedFinding
    case serverSocket, bind, bindResult, listen, clientSocket, connect, connectRefused, connectResult
    case accept, acceptResult, send, sendResult, recvEnd, recvData
    case recvArrived, echo, recvEcho, closeA, waitDelayedACK, recvEndB, closeB
    case shutdown, waitHalfClose, recvEndServer, sendAfterFIN, recvAfterFIN, closeServerHalf, closeClientHalf
    case linger, abortClose, recvReset, closeAfterReset, closeListener, closeListenerMeaning

    public var english: StaticString {
        switch self {
        case .titleClientCloses: "TCP lab: the client closes first (the notes' four-way teardown)"
        case .titleServerCloses: "TCP lab: the server closes first"
        case .titleAbort: "TCP lab: the client aborts with RST (SO_LINGER 0)"
        case .titleServerAborts: "TCP lab: the server aborts with RST (SO_LINGER 0)"
        case .titleHalfClose: "TCP lab: half-close (shutdown SHUT_WR, data after the FIN)"
        case .titleRefused: "TCP lab: connect to a closed port (refused)"
        case .portClosed: "port {} is closed"
        case .portClosedMeaning: "the lab took a free port and let it go: nothing listens on it"
        case .refusedFinding:
            """
            connect() failed with ECONNREFUSED: the SYN was answered by a RST, no connection, \
            no state beyond SYN-SENT
            """
        case .serverSocket: "a TCP socket; no packet, the kernel has no connection yet (CLOSED)"
        case .bind: "gives the socket its address; port 0 lets the kernel choose"
        case .bindResult: "0, port {}"
        case .listen: "the server waits for connections: the kernel puts it in LISTEN (the notes start it at CLOSED)"
        case .clientSocket: "the client's TCP socket (CLOSED)"
        case .connect:
            """
            the three-way handshake: SYN (client SYN-SENT), SYN+ACK (server SYN-RCVD), ACK (both ESTABLISHED); \
            on loopback it completes inside this one call
            """
        case .connectRefused:
            "sends a SYN (SYN-SENT); nothing listens, so the kernel answers with RST: connection refused"
        case .connectResult: "0 (local port {})"
        case .accept: "takes the finished connection off the queue: a new socket, already ESTABLISHED; no packet"
        case .acceptResult: "fd {} for {}"
        case .send: "data goes out with PSH+ACK; the other side's kernel ACKs it"
        case .sendResult: "{} bytes"
        case .recvEnd: "0 bytes: end of stream (the other side's FIN)"
        case .recvData: "{} bytes \"{}\""
        case .recvArrived: "reads what arrived; no packet (the ACK went out when the data arrived)"
        case .echo: "the echo goes back"
        case .recvEcho: "reads the echo; no packet"
        case .closeA:
            """
            teardown 1: A (the notes' first closer, here the {}) sends its FIN and is FIN-WAIT-1; \
            B (the {}) is CLOSE-WAIT
            """
        case .waitDelayedACK:
            """
            B's kernel ACKs the FIN (teardown 2) after Linux's delayed-ACK timer (about 40 ms): A is \
            FIN-WAIT-2. (Had B closed within those 40 ms, its ACK would ride on its FIN: a three-segment close.)
            """
        case .recvEndB: "B (the {}) reads the end of stream: A will send no more"
        case .closeB:
            """
            teardown 3: B sends its FIN (LAST-ACK); A answers with the last ACK (teardown 4): \
            A (the {}) is TIME-WAIT for 2MSL, B CLOSED
            """
        case .shutdown: "the client sends its FIN but keeps reading: FIN-WAIT-1; the server is CLOSE-WAIT"
        case .waitHalfClose: "the server's kernel ACKs the FIN (delayed ACK, about 40 ms): the client is FIN-WAIT-2"
        case .recvEndServer: "the server reads the end of stream, but may still send"
        case .sendAfterFIN: "half-close: data after the client's FIN; the client's kernel still ACKs it"
        case .recvAfterFIN: "the client still receives: only its sending half is closed"
        case .closeServerHalf: "the server's FIN (LAST-ACK); the client ACKs it and enters TIME-WAIT"
        case .closeClientHalf: "the connection is already closed both ways: no packet"
        case .linger: "linger 0: close() will abort instead of closing gracefully; no packet"
        case .abortClose:
            "abort: the {} sends a RST instead of a FIN; both sockets go straight to CLOSED, no TIME-WAIT"
        case .recvReset: "the {} learns of the abort: recv fails with ECONNRESET"
        case .closeAfterReset: "nothing left to close on the wire: no packet"
        case .closeListener: "close() the listening socket"
        case .closeListenerMeaning: "the port stops listening; no packet"
        }
    }

    public var chinese: StaticString {
        switch self {
        case .titleClientCloses: "TCP实验: 客户端先关闭 (笔记中的四次挥手)"
        case .titleServerCloses: "TCP实验: 服务端先关闭"
        case .titleAbort: "TCP实验: 客户端用RST异常终止 (SO_LINGER 0)"
        case .titleServerAborts: "TCP实验: 服务端用RST异常终止 (SO_LINGER 0)"
        case .titleHalfClose: "TCP实验: 半关闭 (shutdown SHUT_WR, FIN之后仍有数据)"
        case .titleRefused: "TCP实验: 连接一个没有监听的端口 (连接被拒绝)"
        case .portClosed: "端口 {} 没有监听"
        case .portClosedMeaning: "实验取了一个空闲端口又放开: 没有程序在此监听"
        case .refusedFinding: "connect() 失败 (ECONNREFUSED): SYN被RST回应, 没有建立连接, 状态止于 SYN-SENT"
        case .serverSocket: "一个TCP套接字; 没有报文, 内核中还没有连接 (CLOSED)"
        case .bind: "给套接字绑定地址; 端口0让内核自己选"
        case .bindResult: "0, 端口 {}"
        case .listen: "服务端等待连接: 内核把它置于 LISTEN (笔记中从 CLOSED 开始)"
        case .clientSocket: "客户端的TCP套接字 (CLOSED)"
        case .connect:
            """
            三次握手: SYN (客户端 SYN-SENT), SYN+ACK (服务端 SYN-RCVD), ACK (双方 ESTABLISHED); \
            在回环接口上, 这一个调用之内就完成了
            """
        case .connectRefused: "发送SYN (SYN-SENT); 没有程序监听, 内核用RST回应: 连接被拒绝"
        case .connectResult: "0 (本地端口 {})"
        case .accept: "从队列中取出已完成握手的连接: 一个新的套接字, 已是 ESTABLISHED; 没有报文"
        case .acceptResult: "fd {}, 对端 {}"
        case .send: "数据随 PSH+ACK 发出; 对方内核回ACK确认"
        case .sendResult: "{} 字节"
        case .recvEnd: "0 字节: 流结束 (对方的FIN)"
        case .recvData: "{} 字节 \"{}\""
        case .recvArrived: "读取已到达的数据; 没有报文 (数据到达时ACK已经发出)"
        case .echo: "回显数据发回"
        case .recvEcho: "读取回显; 没有报文"
        case .closeA: "第一次挥手: A (笔记中先关闭的一方, 这里是{}) 发送FIN, 进入 FIN-WAIT-1; B ({}) 进入 CLOSE-WAIT"
        case .waitDelayedACK:
            """
            B的内核在Linux的延迟确认定时器 (约40 ms) 之后确认FIN (第二次挥手): A 进入 FIN-WAIT-2。\
            (若B在这40 ms内关闭, 它的ACK会随它的FIN一起发出: 三个报文段的关闭。)
            """
        case .recvEndB: "B ({}) 读到流结束: A 不会再发送数据"
        case .closeB: "第三次挥手: B 发送FIN (LAST-ACK); A 回最后的ACK (第四次挥手): A ({}) 进入 TIME-WAIT 等待2MSL, B 进入 CLOSED"
        case .shutdown: "客户端发送FIN但仍可读取: FIN-WAIT-1; 服务端进入 CLOSE-WAIT"
        case .waitHalfClose: "服务端内核确认FIN (延迟确认, 约40 ms): 客户端进入 FIN-WAIT-2"
        case .recvEndServer: "服务端读到流结束, 但仍可发送"
        case .sendAfterFIN: "半关闭: 客户端FIN之后的数据; 客户端内核仍回ACK确认"
        case .recvAfterFIN: "客户端仍能接收: 只关闭了发送方向"
        case .closeServerHalf: "服务端的FIN (LAST-ACK); 客户端回ACK确认并进入 TIME-WAIT"
        case .closeClientHalf: "连接两个方向都已关闭: 没有报文"
        case .linger: "linger 0: close() 将异常终止而不是正常关闭; 没有报文"
        case .abortClose: "异常终止: {}发送RST而不是FIN; 两个套接字直接进入 CLOSED, 没有 TIME-WAIT"
        case .recvReset: "{}得知连接被异常终止: recv 失败 (ECONNRESET)"
        case .closeAfterReset: "线路上已没有可关闭的: 没有报文"
        case .closeListener: "close() 监听套接字"
        case .closeListenerMeaning: "端口停止监听; 没有报文"
        }
    }
}

extension NotesLabel {
    /// `filled(_:_:)` with the values listed.
    public func filled(_ lang: NotesLanguage, _ values: String...) -> String { filled(lang, values) }
}
