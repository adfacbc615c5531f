import Foundation
import Testing

@testable import WiretaleCore

private func text(_ write: (inout OutputBuffer) -> Void) -> String {
    var o = OutputBuffer(fd: -1)
    write(&o)
    return String(decoding: o.bytes, as: UTF8.self)
}

private func object(_ line: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
}

@Suite("HTTP messages and transactions as read and conversations show them: text, JSON, the table")
struct HTTPTransactionOutputTests {
    static let record = HTTPConversationTests.whole

    @Test("the frame completing a message reads as tshark's line: method, target, host; status, type, length")
    func summaries() {
        let m = Self.record.messages
        let lines = m.map { s in text { s.appendSummary(to: &$0) } }
        #expect(lines.first == "HTTP GET /index.html (host example.org)")
        #expect(lines.contains("HTTP 200 OK text/html 11 bytes"))
        #expect(lines.contains("HTTP POST /upload (host example.org) 11 bytes"))
        #expect(lines.contains("HTTP 100 Continue"))
        #expect(lines.contains("HTTP 204 No Content"))
        #expect(lines.last == "HTTP 200 OK text/plain \(wiretaleGzip.count) bytes (decoded 4500)")
    }

    @Test("a malformed message is marked, alone when nothing else is known of it")
    func malformedSummary() {
        var budget = HTTPBudget()
        let (rec, _) = runHTTP(
            [
                HTTPStep(fromClient: true, bytes: Array("\u{01}\u{02}binary\r\nGET /x HTTP/1.1\r\nbad\r\n\r\n".utf8)),
                HTTPStep(fromClient: false, bytes: Array("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".utf8)),
            ], budget: &budget)
        let lines = rec.messages.map { s in text { s.appendSummary(to: &$0) } }
        #expect(lines.first?.hasPrefix("[malformed HTTP: the bytes are not an HTTP/1.x request") == true)
        #expect(lines.dropFirst().first == "HTTP GET /x [malformed HTTP: malformed header field: bad]")
    }

    @Test("read's JSON http object and conversations' JSON line carry the transaction's fields, null when unknown")
    func json() throws {
        let t = Self.record.transactions
        let line = text { t[3].appendJSON(stream: 5, to: &$0) }
        #expect(line.hasSuffix("\n") && line.dropLast().firstIndex(of: "\n") == nil, "one line")
        let o = try object(line)
        #expect(o["kind"] as? String == "http" && o["stream"] as? Int == 5)
        #expect(
            o["method"] as? String == "POST" && o["uri"] as? String == "/form" && o["host"] as? String == "example.org")
        #expect(o["version"] as? String == "HTTP/1.1" && o["status"] as? Int == 200 && o["reason"] as? String == "OK")
        #expect(o["user_agent"] is NSNull && o["content_type"] is NSNull)
        #expect(o["request_body_len"] as? Int == 7 && o["response_body_len"] as? Int == 2)
        #expect(o["request_frame"] as? Int == 5 && o["response_frame"] as? Int == 6)
        #expect((o["latency_ms"] as? Double).map { abs($0 - 1.0) < 1e-9 } == true)
        #expect(o["interim"] as? [Int] == [100] && o["malformed"] as? Bool == false)
        let gzip = try object(text { t[6].appendJSON(stream: 5, to: &$0) })
        #expect(gzip["response_coding"] as? String == "gzip" && gzip["response_decoded_body_len"] as? Int == 4500)
        #expect(gzip["response_decoding"] as? String == "complete" && gzip["request_decoding"] is NSNull)
        let interim = text { t[3].appendInterimJSON(stream: 5, to: &$0) }
        let i = try object(interim)
        #expect(i["status"] as? Int == 100 && i["method"] is NSNull && i["interim_of"] as? Int == 3)
        #expect(text { t[0].appendInterimJSON(stream: 5, to: &$0) }.isEmpty)
        let message = try object(text { Self.record.messages[0].appendJSON(to: &$0) })
        #expect(message["kind"] as? String == "request" && message["uri"] as? String == "/index.html")
        #expect(message["status"] is NSNull && message["first_frame"] as? Int == 1 && message["malformed"] is NSNull)
    }

    @Test("a response without request has method and uri null in JSON, and its problems say where")
    func jsonUnmatched() throws {
        var budget = HTTPBudget()
        let (rec, _) = runHTTP(
            [
                HTTPStep(
                    fromClient: false, bytes: Array("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nbad line\r\n\r\nx".utf8))
            ],
            budget: &budget)
        let o = try object(text { rec.transactions[0].appendJSON(stream: 0, to: &$0) })
        #expect(o["method"] is NSNull && o["uri"] is NSNull && o["status"] as? Int == 200)
        #expect(o["no_request"] as? Bool == true && o["malformed"] as? Bool == true)
        let p = try #require((o["problems"] as? [[String: Any]])?.first)
        #expect(p["place"] as? String == "response" && p["line"] as? Int == 3 && p["offset"] as? Int == 36)
    }

    @Test("the HTTP table lists transactions by stream and request, in English and in Chinese")
    func table() {
        var held = HTTPTable.rows(cap: 100)
        for t in Self.record.transactions.reversed() { held.append(HTTPTableRow(stream: 2, t)) }
        held.append(HTTPTableRow(stream: 1, Self.record.transactions[6]))
        var rows = held.take()
        #expect(rows.map(\.stream) == [1, 2, 2, 2, 2, 2, 2, 2])
        #expect(rows.dropFirst().map(\.transaction.index) == Array(0..<7))
        let en = text { HTTPTable.render(&rows, lang: .en, to: &$0) }
        #expect(
            en.hasPrefix(
                "HTTP transactions: 8 (answered 8, without response 0, responses without request 0, malformed 0)\n"))
        #expect(en.contains("method") && en.contains("latency ms") && en.contains("content type"))
        #expect(en.contains("/index.html") && en.contains("example.org") && en.contains("interim 100"))
        #expect(en.contains("decoded 4500 B"))
        let zh = text { HTTPTable.render(&rows, lang: .zh, to: &$0) }
        #expect(zh.hasPrefix("HTTP 事务: 8 (有响应 8, 无响应 0, 无请求的响应 0, 格式错误 0)\n"))
        #expect(zh.contains("状态码") && zh.contains("请求体") && zh.contains("响应体") && zh.contains("临时响应 100"))
        for width in [70, 100, 160] {
            let narrow = text { HTTPTable.render(&rows, lang: .en, width: width, to: &$0) }
            for line in narrow.split(separator: "\n") {
                #expect(String(line).terminalWidth <= width, "width \(width): \(line)")
            }
            #expect(narrow.contains("/cached"))
        }
    }

    @Test("the table holds at most its cap and says how many more it left out")
    func tableCap() {
        var held = HTTPTable.rows(cap: 2)
        for (i, t) in Self.record.transactions.enumerated() { held.append(HTTPTableRow(stream: 10 - i, t)) }
        var rows = held.take()
        #expect(rows.map(\.stream) == [4, 5])
        let out = text { HTTPTable.render(&rows, unlisted: held.unlisted, lang: .en, to: &$0) }
        #expect(out.hasPrefix("HTTP transactions: 7 (of the 2 listed: "))
        #expect(out.contains("… and 5 more not listed"))
    }

    @Test("the HTTP labels have both languages with the same slots")
    func labels() {
        #expect(NotesVocabularyTests.checkTable(HTTPLabel.self) == HTTPLabel.allCases.count)
    }
}
