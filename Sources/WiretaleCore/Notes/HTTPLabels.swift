/// The words of `conversations`' HTTP table (`HTTPTable`), in English and in the notes' Chinese
/// (请求 request, 响应 response, 状态码 status code, 头 header). `{}` marks where a value goes.
public enum HTTPLabel: UInt8, NotesLabel {
    case title, ofListed, counts
    case columnRequestFrame, columnMethod, columnHost, columnURI, columnStatus, columnReason, columnContentType,
        columnRequestBody, columnResponseBody, columnLatency, columnNotes
    case noResponse, noRequest, http09, upgradedTo, malformed, requestIncomplete, responseIncomplete, interim,
        gapBytes, evicted, decoded
    // A message on the frame that completes it (`read`, `explain`): `HTTP GET / (host h) 12 bytes`.
    case frameHost, frameBytes, frameDecoded, frameDecodedMore, frameGap, frameMalformed, frameHTTP09Reply,
        frameReply

    public var english: StaticString {
        switch self {
        case .title: "HTTP transactions: {}"
        case .ofListed: "of the {} listed: "
        case .counts: "answered {}, without response {}, responses without request {}, malformed {}"
        case .columnRequestFrame: "request"
        case .columnMethod: "method"
        case .columnHost: "host"
        case .columnURI: "uri"
        case .columnStatus: "status"
        case .columnReason: "reason"
        case .columnContentType: "content type"
        case .columnRequestBody: "→ body"
        case .columnResponseBody: "← body"
        case .columnLatency: "latency ms"
        case .columnNotes: "notes"
        case .noResponse: "no response"
        case .noRequest: "no request seen"
        case .http09: "HTTP/0.9"
        case .upgradedTo: "became {}"
        case .malformed: "malformed"
        case .requestIncomplete: "request cut"
        case .responseIncomplete: "response cut"
        case .interim: "interim {}"
        case .gapBytes: "gap {} B"
        case .evicted: "given up at the pending cap"
        case .decoded: "decoded {} B"
        case .frameHost: " (host {})"
        case .frameBytes: " {} bytes"
        case .frameDecoded: " (decoded {})"
        case .frameDecodedMore: " (decoded more than {})"
        case .frameGap: " [gap {} bytes]"
        case .frameMalformed: "[malformed HTTP: {}]"
        case .frameHTTP09Reply: "HTTP/0.9 reply"
        case .frameReply: "HTTP reply"
        }
    }

    public var chinese: StaticString {
        switch self {
        case .title: "HTTP 事务: {}"
        case .ofListed: "列出的 {} 个中: "
        case .counts: "有响应 {}, 无响应 {}, 无请求的响应 {}, 格式错误 {}"
        case .columnRequestFrame: "请求帧"
        case .columnMethod: "方法"
        case .columnHost: "主机"
        case .columnURI: "URI"
        case .columnStatus: "状态码"
        case .columnReason: "原因短语"
        case .columnContentType: "内容类型"
        case .columnRequestBody: "请求体"
        case .columnResponseBody: "响应体"
        case .columnLatency: "延迟 ms"
        case .columnNotes: "备注"
        case .noResponse: "无响应"
        case .noRequest: "未见请求"
        case .http09: "HTTP/0.9"
        case .upgradedTo: "转为 {}"
        case .malformed: "格式错误"
        case .requestIncomplete: "请求不完整"
        case .responseIncomplete: "响应不完整"
        case .interim: "临时响应 {}"
        case .gapBytes: "缺失 {} 字节"
        case .evicted: "超出待响应上限, 放弃"
        case .decoded: "解压后 {} 字节"
        case .frameHost: " (主机 {})"
        case .frameBytes: " {} 字节"
        case .frameDecoded: " (解压后 {})"
        case .frameDecodedMore: " (解压后超过 {})"
        case .frameGap: " [缺失 {} 字节]"
        case .frameMalformed: "[HTTP 格式错误: {}]"
        case .frameHTTP09Reply: "HTTP/0.9 回复"
        case .frameReply: "HTTP 回复"
        }
    }
}
