/// The words of `follow`'s text (`FollowRender`), in English and in the notes' Chinese. `{}` marks
/// where a value goes. The header lines (`Follow: tcp,ascii`, `Filter: tcp.stream eq N`) are
/// tshark's and the same in both languages.
public enum FollowLabel: UInt8, NotesLabel {
    case nodeClient, nodeServer, clientToServer, serverToClient, chunk, chunkFrames, heldUntil, heldToEnd, gap
    case side, endedByFIN, endedByRST, stillOpen, reassembly, capGap, frames, stopBothEnded, stopConnectionOver,
        stopEndOfCapture

    public var english: StaticString {
        switch self {
        case .nodeClient: "Node 0: {} (client)\n"
        case .nodeServer: "Node 1: {} (server)\n"
        case .clientToServer: "client → server"
        case .serverToClient: "server → client"
        case .chunk: "{} bytes {}, frame {}"
        case .chunkFrames: "{} bytes {}, frames {}..{}"
        case .heldUntil: " (held until frame {})"
        case .heldToEnd: " (held until the end of the capture)"
        case .gap: "[gap: {} bytes missing]\n"
        case .side: "{}: {} bytes in {} chunk(s) from {} segment(s), {}\n"
        case .endedByFIN: "ended by FIN"
        case .endedByRST: "ended by RST"
        case .stillOpen: "no FIN seen (open when the capture ended)"
        case .reassembly:
            "  reassembly: {} bytes retransmitted, {} overlapping ({} segment(s) with conflicting bytes, the first copy kept), {} out of window, {} missing (gaps)\n"
        case .capGap:
            "  a reassembly cap was reached (1 MiB held per direction, 64 MiB in all): the bytes held were delivered after a gap\n"
        case .frames: "stream {}: {} frame(s), {} to {}, {}\n"
        case .stopBothEnded: "read until both directions had ended (later ACKs not counted)"
        case .stopConnectionOver: "read until the connection was over"
        case .stopEndOfCapture: "read to the end of the capture"
        }
    }

    public var chinese: StaticString {
        switch self {
        case .nodeClient: "Node 0: {} (客户端)\n"
        case .nodeServer: "Node 1: {} (服务端)\n"
        case .clientToServer: "客户端 → 服务端"
        case .serverToClient: "服务端 → 客户端"
        case .chunk: "{} 字节 {}, 第 {} 帧"
        case .chunkFrames: "{} 字节 {}, 第 {}..{} 帧"
        case .heldUntil: " (暂存到第 {} 帧)"
        case .heldToEnd: " (暂存到抓包结束)"
        case .gap: "[缺口: 缺少 {} 字节]\n"
        case .side: "{}: {} 字节, {} 块, 来自 {} 个报文段, {}\n"
        case .endedByFIN: "以FIN结束"
        case .endedByRST: "以RST结束"
        case .stillOpen: "未见FIN (抓包结束时仍未关闭)"
        case .reassembly:
            "  重组: 重传 {} 字节, 重叠 {} 字节 (其中 {} 个报文段内容冲突, 保留先到的), 窗口外 {} 字节, 缺失 {} 字节 (缺口)\n"
        case .capGap: "  达到重组上限 (每个方向暂存 1 MiB, 合计 64 MiB): 暂存的字节在一个缺口之后交付\n"
        case .frames: "流 {}: {} 帧, 第 {} 至 {} 帧, {}\n"
        case .stopBothEnded: "读到两个方向都结束为止 (之后的ACK不计)"
        case .stopConnectionOver: "读到连接结束为止"
        case .stopEndOfCapture: "读到抓包文件末尾"
        }
    }
}
