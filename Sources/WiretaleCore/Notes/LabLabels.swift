/// The words of the labs' text and JSON (`LabText`, `TCPLab`, `TCPLabJSON`) around the notes'
/// terms, in English and in the notes' Chinese. `{}` marks where a value goes; the RFC state names
/// stay in front in both languages, as the notes write them.
public enum LabLabel: UInt8, NotesLabel {
    case client, server, lab, listener
    case capturedLive, wire, kernel, noPacket, noSocket, gone, wireSame, wireDiffers
    case ladderHeading, statesHeading, notCaptured, yes, kernelNoLonger, transient, wireColumn, kernelColumn
    case agreeEverywhere, disagreement, disagreementItem
    case failed, wait, captureOff, captureError, notPrivileged

    public var english: StaticString {
        switch self {
        case .client: "client"
        case .server: "server"
        case .lab: "lab"
        case .listener: "listener"
        case .capturedLive: "  captured live on {}, filter \"{}\""
        case .wire: "    wire   "
        case .kernel: "    kernel "
        case .noPacket: "(no packet)"
        case .noSocket: "no socket on this port ({}: the kernel holds nothing)"
        case .gone: "{} gone ({})"
        case .wireSame: ", wire the same"
        case .wireDiffers: ", wire {}: they differ"
        case .ladderHeading: "The connection as `wiretale explain` draws it (states implied by the packets):"
        case .statesHeading:
            """
            The notes' states, seen two ways besides the calls above (wire: implied by the packets; \
            kernel: /proc/net/tcp):
            """
        case .notCaptured: "not captured"
        case .yes: "yes"
        case .kernelNoLonger: "yes (a socket the kernel no longer lists)"
        case .transient: "- (lasts microseconds on loopback)"
        case .wireColumn: " wire "
        case .kernelColumn: " kernel "
        case .agreeEverywhere:
            """
              • the kernel's state and the wire's agree at every sample ({} compared: after each call, the \
            state implied by every packet captured until the kernel was read)
            """
        case .disagreement: "  • the kernel's state and the wire's differ at {} of {} compared states: {}"
        case .disagreementItem: "step {} {}: kernel {}, wire {}"
        case .failed: "failed: {}"
        case .wait: "wait {} ms"
        case .captureOff: "packets not captured (capture turned off)"
        case .captureError: "packets not captured: {}"
        case .notPrivileged:
            """
            packets not captured: capturing needs root or CAP_NET_RAW. The calls and the kernel's states \
            below are real; to see the packets too, run it as root (sudo wiretale …) or give the binary \
            the capability once: sudo setcap cap_net_raw+eip $(command -v wiretale)
            """
        }
    }

    public var chinese: StaticString {
        switch self {
        case .client: "客户端"
        case .server: "服务端"
        case .lab: "实验"
        case .listener: "监听套接字"
        case .capturedLive: "  在 {} 上实时抓包, 过滤器 \"{}\""
        case .wire: "    线路   "
        case .kernel: "    内核   "
        case .noPacket: "(没有报文)"
        case .noSocket: "此端口上没有套接字 ({}: 内核中已不存在)"
        case .gone: "{} 已不存在 ({})"
        case .wireSame: ", 线路推断相同"
        case .wireDiffers: ", 线路推断为 {}: 不一致"
        case .ladderHeading: "`wiretale explain` 画出的这条连接 (由报文推断的状态):"
        case .statesHeading: "笔记中的状态, 除上面的调用外另从两方面看 (线路: 由报文推断; 内核: /proc/net/tcp):"
        case .notCaptured: "未抓包"
        case .yes: "有"
        case .kernelNoLonger: "有 (内核不再列出的套接字)"
        case .transient: "- (在回环接口上只持续几微秒)"
        case .wireColumn: " 线路 "
        case .kernelColumn: " 内核 "
        case .agreeEverywhere:
            """
              • 每次采样, 内核的状态与线路推断的状态都一致 (比较了 {} 个: 每个调用之后, \
            由读内核之前抓到的全部报文推断出的状态)
            """
        case .disagreement: "  • 内核的状态与线路推断的状态在 {} / {} 个比较中不一致: {}"
        case .disagreementItem: "第 {} 步 {}: 内核 {}, 线路 {}"
        case .failed: "失败: {}"
        case .wait: "等待 {} ms"
        case .captureOff: "未抓包 (抓包已关闭)"
        case .captureError: "未抓包: {}"
        case .notPrivileged:
            """
            未抓包: 抓包需要 root 或 CAP_NET_RAW。下面的调用和内核状态是真实的; 要同时看到报文, 请以 root 运行 \
            (sudo wiretale …), 或给程序一次性授权: sudo setcap cap_net_raw+eip $(command -v wiretale)
            """
        }
    }
}
