import Testing

@testable import WiretaleCore

@Suite("Output formatting")
struct OutputTests {
    @Test("a packet without a time says so in every -t format, and delta and relative measure past it")
    func missingTimestampInEveryTimeFormat() {
        let a = Timestamp(seconds: 1_340_954_905, fraction: 298_858, digits: 6)
        let b = Timestamp(seconds: 1_340_954_905, fraction: 301_858, digits: 6)
        for format in TimeFormat.allCases {
            var time = PacketTime(format)
            var o = OutputBuffer(fd: -1)
            for t in [a, Timestamp.missing, b] {
                time.append(t, to: &o)
                o.append("|")
            }
            let text = String(decoding: o.bytes, as: UTF8.self)
            let parts = text.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            #expect(parts[1] == (format == .none ? "" : "no timestamp "), "\(format)")
            switch format {
            case .delta, .relative: #expect(parts[2] == "00:00:00.003000 ", "\(format)")
            case .epoch: #expect(parts[2] == "1340954905.301858 ")
            default: break
            }
        }
    }

    func text(_ fill: (inout OutputBuffer) -> Void) -> String {
        var o = OutputBuffer(fd: -1)
        fill(&o)
        return String(decoding: o.bytes, as: UTF8.self)
    }

    @Test("RFC 3339 keeps exactly the file's fractional digits")
    func rfc3339() {
        #expect(
            text { $0.appendRFC3339(Timestamp(seconds: 0, fraction: 0, digits: 6)) } == "1970-01-01T00:00:00.000000Z")
        #expect(
            text { $0.appendRFC3339(Timestamp(seconds: 1_084_443_427, fraction: 311_224, digits: 6)) }
                == "2004-05-13T10:17:07.311224Z")
        #expect(
            text { $0.appendRFC3339(Timestamp(seconds: 1_800_000_000, fraction: 5, digits: 9)) }
                == "2027-01-15T08:00:00.000000005Z")
        #expect(
            text { $0.appendRFC3339(Timestamp(seconds: 951_782_400, fraction: 7, digits: 3)) }
                == "2000-02-29T00:00:00.007Z")
    }

    @Test("Times before 1970 or past 9999 are said to be out of range, in text and JSON")
    func outOfRange() {
        let last = Timestamp(seconds: Timestamp.maxSeconds, fraction: 999_999, digits: 6)
        #expect(text { $0.appendRFC3339(last) } == "9999-12-31T23:59:59.999999Z")
        for seconds in [Int64.min, -1, Timestamp.maxSeconds + 1, Int64.max] {
            let t = Timestamp(seconds: seconds, fraction: 0, digits: 6)
            #expect(!t.isInRange)
            #expect(text { $0.appendRFC3339(t) } == "time out of range")
            #expect(text { $0.appendTimeOfDay(t) } == "time out of range")
            #expect(text { $0.appendJSONTime("time", t) } == "\"time\":null,\"time_out_of_range\":true")
        }
        #expect(text { $0.appendJSONTime("start", last) } == "\"start\":\"9999-12-31T23:59:59.999999Z\"")
    }

    @Test("Durations between any two times never overflow, and Int64.min prints")
    func extremeDurations() {
        let times = [Int64.min, -1, 0, 1_700_000_000, Int64.max].map {
            Timestamp(seconds: $0, fraction: 999_999_999, digits: 9)
        }
        for a in times {
            for b in times {
                let d = b.totalNanoseconds - a.totalNanoseconds  // traps if either is out of 0...Int64.max
                #expect(a.totalNanoseconds >= 0 && (d >= 0) == (a <= b))
            }
        }
        #expect(text { $0.appendDecimal(.min, scale: 1_000_000_000, digits: 6) } == "-9223372036.854775")
        #expect(text { $0.appendDecimal(-1_500_000, scale: 1_000_000, digits: 3) } == "-1.500")
    }

    @Test("JSON strings escape quotes, backslashes and control bytes")
    func jsonEscape() {
        #expect(text { $0.appendJSONString("a\"b\\c\n\u{01}é") } == "\"a\\\"b\\\\c\\n\\u0001é\"")
    }

    @Test("Integers, hex and MAC addresses")
    func numbers() {
        #expect(
            text {
                $0.append(0)
                $0.append(byte: 32)
                $0.append(-42)
                $0.append(byte: 32)
                $0.append(UInt64.max)
            }
                == "0 -42 18446744073709551615")
        #expect(text { $0.appendMAC(0x0012_34AB_CDEF) } == "00:12:34:ab:cd:ef")
    }

    @Test("IPv6 text follows RFC 5952")
    func ipv6Text() {
        #expect(IPAddress("2001:0db8:0000:0000:0000:0000:0000:0001")?.description == "2001:db8::1")
        #expect(IPAddress("2001:db8:0:1:1:1:1:1")?.description == "2001:db8:0:1:1:1:1:1")
        #expect(IPAddress("2001:0:0:1:0:0:0:1")?.description == "2001:0:0:1::1")
        #expect(IPAddress("::1")?.description == "::1")
        #expect(IPAddress("fe80::")?.description == "fe80::")
        #expect(IPAddress("::ffff:10.0.0.1")?.description == "::ffff:10.0.0.1")
        #expect(IPAddress("1::2::3") == nil)
        #expect(IPAddress("256.1.1.1") == nil)
    }
}

@Suite("Packet lines")
struct PacketLineTests {
    @Test("-v puts the IP header's fields after IP as tcpdump -v does, IPv4 and IPv6")
    func verboseIPHeader() {
        func line(_ frame: [UInt8], verbose: Bool) -> String {
            var o = OutputBuffer(fd: -1)
            let p = FrameBuilder.decode(frame)
            var time = PacketTime(.none)
            let info = FrameInfo(
                number: 1, timestamp: Timestamp(seconds: 0, fraction: 0, digits: 6), originalLength: frame.count,
                capturedLength: frame.count)
            PacketText.render(info, p, application: nil, time: &time, verbose: verbose, to: &o)
            return String(decoding: o.bytes, as: UTF8.self)
        }
        let v4 = FrameBuilder.ethernet(type: 0x0800, FrameBuilder.ipv4(proto: 6, FrameBuilder.tcp()))
        #expect(
            line(v4, verbose: true).hasPrefix(
                "     1 IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 40) 10.0.0.1:40000 >")
        )
        #expect(line(v4, verbose: false).hasPrefix("     1 IP 10.0.0.1:40000 >"))
        // A later fragment (offset 1480 bytes = 185 units, MF set, no DF): tcpdump's "flags [+]".
        let fragment = FrameBuilder.ethernet(
            type: 0x0800, FrameBuilder.ipv4(proto: 17, flagsFragment: 0x2000 | 185, Array(repeating: 0, count: 8)))
        #expect(
            line(fragment, verbose: true).contains(
                "(tos 0x0, ttl 64, id 4660, offset 1480, flags [+], proto UDP (17), length 28)"))
        let v6 = FrameBuilder.ethernet(type: 0x86DD, FrameBuilder.ipv6(next: 17, FrameBuilder.udp([])))
        #expect(
            line(v6, verbose: true).hasPrefix(
                "     1 IP6 (hlim 64, next-header UDP (17) payload length: 8) [2001:db8::1]:40000"))
    }

    @Test("Frame numbers past a million keep their digits and do not break the column")
    func bigFrameNumbers() {
        let frame = FrameBuilder.ethernet(type: 0x0800, FrameBuilder.ipv4(proto: 6, FrameBuilder.tcp()))
        for number in [1, 999_999, 1_000_000, 123_456_789] {
            var o = OutputBuffer(fd: -1)
            frame.withUnsafeBytes { b in
                var p = DecodedPacket()
                PacketDecoder.decode(b, linkType: .ethernet, into: &p)
                let info = FrameInfo(
                    number: number, timestamp: Timestamp(seconds: 0, fraction: 0, digits: 6),
                    originalLength: b.count, capturedLength: b.count)
                PacketText.render(info, p, bytes: b, to: &o)
            }
            let line = String(decoding: o.bytes, as: UTF8.self)
            #expect(line.hasPrefix(number < 100_000 ? " " : "\(number)".prefix(1)))
            #expect(line.contains("\(number) 00:00:00.000000 IP 10.0.0.1:40000 > 10.0.0.2:80 TCP [S] seq 1000"))
        }
    }
}
