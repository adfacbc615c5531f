/// The words of `trace`'s text report (`TraceText`) that are only the trace's, in English and in
/// the notes' Chinese; the notes' own terms (the steps a..i) come from `NotesStep`.
public enum TraceLabel: UInt8, NotesLabel {
    case columnNote, columnStep, columnStart, columnDuration, columnFrames, columnEvidence, notesOrder, observedOrder
    /// The steps `trace` shows that the notes do not list, marked as not being from the notes;
    /// `teardownStep` when no capture showed how the connection closed, `teardownSeen` with the
    /// shape the capture showed (`TeardownKind`: a three-segment close is not the four-way one).
    case tlsStep, teardownStep, teardownSeen
    /// The report's other fixed words: the table's marks, the evidence heads, the timeline, the
    /// ordering verdict and the result.
    case hopCell, failedCell, skippedCell, beforeCell, hopHead, failedHead, skippedHead, notInNotesHead, framesLine
    case timelineHeading, dnsLookupPhase, tcpConnectionPhase, tlsHandshakePhase, serverProcessingPhase,
        contentTransferPhase, withRedirects
    case attemptedFailed, notInNotesList, everyStepInPlace, outOfPlace, placement, missing
    case resultOK, resultFailed, hint
    /// The steps' short names (the English ones are `TraceStepKind.title`).
    case urlTitle, localAddressTitle, linkTitle, neighbourTitle, dnsTitle, tcpTitle, tlsTitle, requestTitle,
        responseTitle, pageTitle, teardownTitle

    public var english: StaticString {
        switch self {
        case .columnNote: "note"
        case .columnStep: "step"
        case .columnStart: "start ms"
        case .columnDuration: "dur ms"
        case .columnFrames: "frames"
        case .columnEvidence: "evidence"
        case .notesOrder: "notes order:    "
        case .observedOrder: "observed order: "
        case .tlsStep: "TLS handshake (not in the notes)"
        case .teardownStep: "teardown (not in the notes)"
        case .teardownSeen: "{} (not in the notes)"
        case .hopCell: " (hop {})"
        case .failedCell: " FAILED"
        case .skippedCell: " skipped"
        case .beforeCell: "before"
        case .hopHead: ", hop {}"
        case .failedHead: "  ** FAILED **"
        case .skippedHead: "  (skipped)"
        case .notInNotesHead: "{} (not in the notes)"
        case .framesLine: "frames: {}"
        case .timelineHeading: "timeline (ms since the trace began; one column = {} ms)"
        case .dnsLookupPhase: "DNS Lookup"
        case .tcpConnectionPhase: "TCP Connection"
        case .tlsHandshakePhase: "TLS Handshake"
        case .serverProcessingPhase: "Server Processing"
        case .contentTransferPhase: "Content Transfer"
        case .withRedirects:
            "  with redirects, as curl -w: each figure adds up every hop's, measured from that hop's start; total runs from the start (redirect:{}ms)"
        case .attemptedFailed: "{} (attempted, failed)"
        case .notInNotesList: "   (+ not in the notes: {})"
        case .everyStepInPlace: "every observed step is where the notes list it"
        case .outOfPlace: "out of place: {}"
        case .placement: "  {} ({}): notes #{}, here #{}: {}"
        case .missing: "missing: {}"
        case .resultOK: "result: ok (exit 0)"
        case .resultFailed: "result: FAILED at {}{} [{}, exit {}]"
        case .hint: "  hint: {}"
        case .urlTitle: "URL parse"
        case .localAddressTitle: "local address"
        case .linkTitle: "physical link"
        case .neighbourTitle: "data link (neighbour)"
        case .dnsTitle: "DNS lookup"
        case .tcpTitle: "TCP connect"
        case .tlsTitle: "TLS handshake"
        case .requestTitle: "HTTP request"
        case .responseTitle: "HTTP response"
        case .pageTitle: "browser's part"
        case .teardownTitle: "teardown"
        }
    }

    public var chinese: StaticString {
        switch self {
        case .columnNote: "笔记"
        case .columnStep: "步骤"
        case .columnStart: "开始 ms"
        case .columnDuration: "耗时 ms"
        case .columnFrames: "帧"
        case .columnEvidence: "证据"
        case .notesOrder: "笔记顺序: "
        case .observedOrder: "实际顺序: "
        case .tlsStep: "TLS握手（笔记未列出）"
        case .teardownStep: "挥手（未抓包，不知几个报文段；笔记未列出）"
        case .teardownSeen: "{}（笔记未列出）"
        case .hopCell: " (第{}跳)"
        case .failedCell: " 失败"
        case .skippedCell: " 跳过"
        case .beforeCell: "之前"
        case .hopHead: ", 第{}跳"
        case .failedHead: "  ** 失败 **"
        case .skippedHead: "  (跳过)"
        case .notInNotesHead: "{}（笔记未列出）"
        case .framesLine: "帧: {}"
        case .timelineHeading: "时间线 (自 trace 开始的 ms; 每列 = {} ms)"
        case .dnsLookupPhase: "DNS解析"
        case .tcpConnectionPhase: "TCP连接"
        case .tlsHandshakePhase: "TLS握手"
        case .serverProcessingPhase: "服务端处理"
        case .contentTransferPhase: "内容传输"
        case .withRedirects:
            "  有重定向时, 与 curl -w 一样: 每个数字是各跳之和, 各自从该跳开始计; total 从最开始计 (redirect:{}ms)"
        case .attemptedFailed: "{} (尝试过, 失败)"
        case .notInNotesList: "   (+ 笔记未列出: {})"
        case .everyStepInPlace: "观察到的每一步都在笔记所列的位置"
        case .outOfPlace: "位置不同: {}"
        case .placement: "  {} ({}): 笔记第{}位, 这里第{}位: {}"
        case .missing: "缺少: {}"
        case .resultOK: "结果: 成功 (exit 0)"
        case .resultFailed: "结果: 失败于 {}{} [{}, exit {}]"
        case .hint: "  提示: {}"
        case .urlTitle: "URL解析"
        case .localAddressTitle: "本机地址"
        case .linkTitle: "物理链路"
        case .neighbourTitle: "数据链路(邻居)"
        case .dnsTitle: "DNS解析"
        case .tcpTitle: "TCP连接"
        case .tlsTitle: "TLS握手"
        case .requestTitle: "HTTP请求"
        case .responseTitle: "HTTP响应"
        case .pageTitle: "浏览器的部分"
        case .teardownTitle: "挥手"
        }
    }

    /// The text as a String, for the report's String lines.
    package func string(_ lang: NotesLanguage) -> String { text(lang).description }

    /// The text with `values` in its `{}` slots, as a String.
    package func string(_ lang: NotesLanguage, _ values: String...) -> String { filled(lang, values) }
}
