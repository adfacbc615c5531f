import Foundation
import Testing

@testable import WiretaleCore

@Suite struct JSONWriterTests {
    func written(_ body: (inout OutputBuffer) -> Void) -> String {
        var o = OutputBuffer(fd: -1)
        body(&o)
        return String(decoding: o.bytes, as: UTF8.self)
    }

    @Test func commasAreKeptByTheWriterAtEveryDepth() throws {
        let s = written { o in
            o.beginObject()
            o.field("a", 1)
            o.beginArray("list")
            o.value(1)
            o.beginObject()
            o.field("x", "q\"uote")
            o.field("none", nil as Int?)
            o.endObject()
            o.value(true)
            o.endArray()
            o.beginObject("empty")
            o.endObject()
            o.field("ip", IPAddress(v4: 0xC000_0201))
            o.field("ratio", 0.125, decimals: 2)
            o.field("nan", Double.nan, decimals: 2)
            o.endObject()
            o.endRecord()
        }
        let expected =
            #"{"a":1,"list":[1,{"x":"q\"uote","none":null},true],"empty":{},"#
            + #""ip":"192.0.2.1","ratio":0.13,"nan":null}"# + "\n"
        #expect(s == expected)
        let parsed = try JSONSerialization.jsonObject(with: Data(s.utf8)) as? [String: Any]
        #expect(parsed?["a"] as? Int == 1)
    }

    @Test func aTimeOutOfRangeIsNullWithAFlag() {
        let s = written { o in
            o.beginObject()
            o.field("start", Timestamp(seconds: -5_000_000_000_000, fraction: 0, digits: 6))
            o.field("n", 2)
            o.endObject()
        }
        #expect(s == #"{"start":null,"start_out_of_range":true,"n":2}"#)
    }

    @Test func recordsStartFreshAfterEndRecord() {
        let s = written { o in
            for i in 0..<2 {
                o.beginObject()
                o.field("i", i)
                o.endObject()
                o.endRecord()
            }
        }
        #expect(s == "{\"i\":0}\n{\"i\":1}\n")
    }

    @Test func fixedDecimalsRoundHalfAwayFromZero() {
        #expect(String(format3: 2.5, decimals: 0) == "3")
        #expect(String(format3: -0.004, decimals: 2) == "0.00")
        #expect(String(format3: -1.25, decimals: 1) == "-1.3")
        #expect(String(format3: 3.14159, decimals: 3) == "3.142")
    }

    @Test func fixedNamesOptionalsAndRawNumbersTakeTheirCommas() {
        let s = written { o in
            o.beginObject()
            o.field("code", "four-way" as StaticString)
            o.field("isn", UInt64?.none)
            o.field("big", UInt64?.some(4_294_967_295))
            o.field("held", Bool?.none)
            o.field("ok", Bool?.some(false))
            o.beginArray("ms")
            o.value(raw: "0.042")
            o.value(raw: "12.500")
            o.endArray()
            o.endObject()
        }
        #expect(s == #"{"code":"four-way","isn":null,"big":4294967295,"held":null,"ok":false,"ms":[0.042,12.500]}"#)
    }

    @Test func theSpacedLayoutPutsASpaceAfterEveryCommaAndColon() {
        let s = written { o in
            o.json.spaced = true
            o.beginObject()
            o.field("a", 1)
            o.beginArray("list")
            o.value(1)
            o.value(2)
            o.endArray()
            o.key("dyn" as String)
            o.beginObject()
            o.endObject()
            o.endObject()
            o.endRecord()
            o.beginObject()
            o.field("b", true)
            o.field("c", false)
            o.endObject()
        }
        #expect(s == #"{"a": 1, "list": [1, 2], "dyn": {}}"# + "\n" + #"{"b": true, "c": false}"#)
    }
}
