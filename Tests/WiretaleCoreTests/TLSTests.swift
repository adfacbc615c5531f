import Testing

@testable import WiretaleCore

// TLS handshake fixtures: RFC 8448 section 3's ClientHello and ServerHello, FoxIO's JA4 sample
// ClientHello, and exchanges built by hand from RFC 8446 / RFC 5246's structures.

/// RFC 8448 section 3 ("Simple 1-RTT Handshake"), the client's ClientHello handshake message.
let rfc8448ClientHello = hexBytes(
    "010000c00303cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef6283024dece7000006130113031302"
        + "010000910000000b0009000006736572766572ff01000100000a00140012001d001700180019010001010102010301"
        + "0400230000003300260024001d002099381de560e4bd43d23d8e435a7dbafeb3c06e51c13cae4d5413691e529aaf2c"
        + "002b0003020304000d0020001e040305030603020308040805080604010501060102010402050206020202002d0002"
        + "0101001c00024001")
/// RFC 8448 section 3, the server's ServerHello handshake message.
let rfc8448ServerHello = hexBytes(
    "020000560303a6af06a4121860dc5e6e60249cd34c95930c8ac5cb1434dac155772ed3e2692800130100002e0033"
        + "0024001d0020c9828876112095fe66762bdbf7c672e156d6cc253b833df1dd69b1b04e751f0f002b00020304")
/// A ClientHello record from Chrome with GREASE, the sample of FoxIO's JA4 documentation
/// (`t13d1516h2_8daaf6152771_e5627efa2ab1`), as carried in CyberChef's JA4 test.
let ja4SampleRecord = hexBytes(
    "1603010200010001fc0303b2c03e7ba990ef540c316a665d4d925f8e9079ac4b15687e587dc99016e75a6c20d0b009"
        + "9243c9296a0c84153ea4ada7d87ad017f4211c2ea1350b0b3cc5514d5f00205a5a130113021303c02bc02fc02cc030"
        + "cca9cca8c013c014009c009d002f003501000193fafa000000000024002200001f636f6e74656e742d6175746f6669"
        + "6c6c2e676f6f676c65617069732e636f6d0033002b00293a3a000100001d0020fb2cd8ef3d605b96ab03119ec4f30a"
        + "6e2088cb1af86c41a81feace8706068c50000d001200100403080404010503080505010806060100230000000b0002"
        + "0100ff01000100000a000a00083a3a001d00170018001b000302000244690005000302683200120000002d00020101"
        + "0010000e000c02683208687474702f312e31000500050100000000002b0007060a0a03040303001700001a1a000100"
        + "001500b8" + String(repeating: "00", count: 184))
/// A self-signed ECDSA P-256 certificate, made once with `openssl req -x509 -newkey ec -subj
/// "/C=US/O=Wiretale Test/CN=example.org" -addext "subjectAltName=DNS:example.org,
/// DNS:www.example.org,IP:192.0.2.1" -days 365 -set_serial 0x1234ABCD -outform DER`.
let selfSignedDER = hexBytes(
    ""
        + "308201ec30820192a00302010202041234abcd300a06082a8648ce3d040302303b310b300906035504061302555331163014"
        + "060355040a0c0d5769726574616c6520546573743114301206035504030c0b6578616d706c652e6f7267301e170d32363132"
        + "30323134353230375a170d3237313230323134353230375a303b310b300906035504061302555331163014060355040a0c0d"
        + "5769726574616c6520546573743114301206035504030c0b6578616d706c652e6f72673059301306072a8648ce3d02010608"
        + "2a8648ce3d03010703420004361e763fe9643aa9cf024c2a1a4584f07a5e7389a6b1fad75b3cdae18e5c3a6f139beab54919"
        + "a41f621a862665de542994c81f9f2d84c385fbb5abbd7f35fc44a38183308180301d0603551d0e04160414ce3645823bb8c1"
        + "22e71bb329e0ec6c6737928699301f0603551d23041830168014ce3645823bb8c122e71bb329e0ec6c6737928699300f0603"
        + "551d130101ff040530030101ff302d0603551d1104263024820b6578616d706c652e6f7267820f7777772e6578616d706c65"
        + "2e6f72678704c0000201300a06082a8648ce3d040302034800304502205a7f0b7eecc8e07cb9b60af2fe65dce4ca7a69f5f2"
        + "82d303e7325bab9ea460f0022100be3eea1ae00ed61bf055d28dad10433eb4702e4f0cea6a08960532ea863aaa1c")

// MARK: - Builders (RFC 8446 section 4, RFC 5246 section 7.4)

func tlsU16(_ v: Int) -> [UInt8] { [UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)] }
func tlsU24(_ v: Int) -> [UInt8] { [UInt8(truncatingIfNeeded: v >> 16)] + tlsU16(v) }
func tlsExt(_ type: Int, _ data: [UInt8]) -> [UInt8] { tlsU16(type) + tlsU16(data.count) + data }
func tlsHandshake(_ type: UInt8, _ body: [UInt8]) -> [UInt8] { [type] + tlsU24(body.count) + body }
func tlsRecord(_ type: UInt8, _ payload: [UInt8], version: Int = 0x0303) -> [UInt8] {
    [type] + tlsU16(version) + tlsU16(payload.count) + payload
}
func tlsList16(_ values: [Int]) -> [UInt8] { values.flatMap(tlsU16) }

func clientHelloBody(
    version: Int = 0x0303, sessionID: [UInt8] = [], ciphers: [Int], extensions: [[UInt8]]
) -> [UInt8] {
    let exts = extensions.flatMap { $0 }
    return tlsU16(version) + [UInt8](repeating: 0x11, count: 32) + [UInt8(sessionID.count)] + sessionID
        + tlsU16(ciphers.count * 2) + tlsList16(ciphers) + [1, 0] + tlsU16(exts.count) + exts
}

func serverHelloBody(
    version: Int = 0x0303, random: [UInt8] = [UInt8](repeating: 0x22, count: 32), sessionID: [UInt8] = [],
    cipher: Int, extensions: [[UInt8]]
) -> [UInt8] {
    let exts = extensions.flatMap { $0 }
    return tlsU16(version) + random + [UInt8(sessionID.count)] + sessionID + tlsU16(cipher) + [0]
        + (exts.isEmpty ? [] : tlsU16(exts.count) + exts)
}

func sniExt(_ name: String) -> [UInt8] {
    let n = Array(name.utf8)
    return tlsExt(0, tlsU16(n.count + 3) + [0] + tlsU16(n.count) + n)
}

func alpnExt(_ names: [String]) -> [UInt8] {
    let list = names.flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) }
    return tlsExt(0x10, tlsU16(list.count) + list)
}

/// One direction's bytes at one point of an exchange.
struct TLSStep {
    var fromClient: Bool
    var bytes: [UInt8]
}

/// What a conversation reported.
struct TLSRun {
    var messages: [TLSMessage] = []
    var handshakes: [TLSHandshake] = []
    var conversation = TLSConversation()

    mutating func take(_ e: TLSEvent) {
        switch e {
        case .message(let m): messages.append(m)
        case .handshake(let h): handshakes.append(h)
        }
    }

    /// The messages' text lines, without frames (which depend on how the bytes were cut).
    var lines: [String] {
        messages.map { m in
            var o = OutputBuffer(fd: -1)
            m.appendSummary(to: &o)
            return (m.fromClient ? "C " : "S ") + String(decoding: o.bytes, as: UTF8.self)
        }
    }

    var json: [String] {
        handshakes.map { h in
            var o = OutputBuffer(fd: -1)
            h.appendJSON(stream: 3, to: &o)
            return String(decoding: o.bytes, as: UTF8.self)
        }
    }

    /// Feeds the steps, each cut into pieces by `cut` (sizes), one frame per step.
    static func feed(_ steps: [TLSStep], cut: (Int) -> [Int] = { [$0] }) -> TLSRun {
        var run = TLSRun()
        var conversation = TLSConversation()
        for (k, s) in steps.enumerated() {
            var at = 0
            for size in cut(s.bytes.count) where size > 0 {
                let piece = Array(s.bytes[at..<min(at + size, s.bytes.count)])
                at += piece.count
                piece.withUnsafeBytes { p in
                    conversation.receive(
                        .data(p, firstFrame: k + 1, lastFrame: k + 1), fromClient: s.fromClient, frame: k + 1,
                        time: .missing
                    ) { run.take($0) }
                }
            }
        }
        conversation.receive(.end, fromClient: true, frame: steps.count + 1, time: .missing) { run.take($0) }
        conversation.receive(.end, fromClient: false, frame: steps.count + 1, time: .missing) { run.take($0) }
        conversation.finish { run.take($0) }
        run.conversation = conversation
        return run
    }
}

// MARK: - Exchanges

/// A TLS 1.2 full handshake with a certificate, then application data and a close_notify
/// (encrypted).
func tls12Exchange(sessionID: [UInt8] = [UInt8](repeating: 7, count: 32)) -> [TLSStep] {
    let ch = clientHelloBody(
        sessionID: sessionID, ciphers: [0xc02f, 0xc030, 0x009c],
        extensions: [
            sniExt("example.org"), tlsExt(0x0a, tlsU16(4) + tlsList16([0x1d, 0x17])), tlsExt(0x0b, [1, 0]),
            tlsExt(0x0d, tlsU16(4) + tlsList16([0x0403, 0x0804])), tlsExt(0x23, []), alpnExt(["http/1.1"]),
        ])
    let sh = serverHelloBody(
        sessionID: [UInt8](repeating: 9, count: 32), cipher: 0xc02f,
        extensions: [tlsExt(0xff01, [0]), tlsExt(0x0b, [1, 0]), alpnExt(["http/1.1"])])
    let certMsg = tlsU24(selfSignedDER.count + 3) + tlsU24(selfSignedDER.count) + selfSignedDER
    let flight =
        tlsHandshake(2, sh) + tlsHandshake(11, certMsg) + tlsHandshake(12, [3, 0, 0x1d, 1, 4])
        + tlsHandshake(14, [])
    // The server's flight in two records, the Certificate message across both.
    let split = 200
    return [
        TLSStep(fromClient: true, bytes: tlsRecord(22, tlsHandshake(1, ch), version: 0x0301)),
        TLSStep(
            fromClient: false,
            bytes: tlsRecord(22, Array(flight[..<split])) + tlsRecord(22, Array(flight[split...]))),
        TLSStep(
            fromClient: true,
            bytes: tlsRecord(22, tlsHandshake(16, [1, 0x42])) + tlsRecord(20, [1])
                + tlsRecord(22, [UInt8](repeating: 0xab, count: 40))),
        TLSStep(fromClient: false, bytes: tlsRecord(20, [1]) + tlsRecord(22, [UInt8](repeating: 0xcd, count: 40))),
        TLSStep(fromClient: true, bytes: tlsRecord(23, [UInt8](repeating: 0x55, count: 100))),
        TLSStep(
            fromClient: false,
            bytes: tlsRecord(23, [UInt8](repeating: 0x66, count: 512)) + tlsRecord(23, [UInt8](repeating: 1, count: 30))
        ),
        TLSStep(fromClient: true, bytes: tlsRecord(21, [UInt8](repeating: 0x77, count: 26))),
    ]
}

/// RFC 8448's ClientHello and ServerHello in records, then encrypted records both ways.
func rfc8448Exchange() -> [TLSStep] {
    [
        TLSStep(fromClient: true, bytes: tlsRecord(22, rfc8448ClientHello, version: 0x0301)),
        TLSStep(
            fromClient: false,
            bytes: tlsRecord(22, rfc8448ServerHello) + tlsRecord(20, [1])
                + tlsRecord(23, [UInt8](repeating: 0x99, count: 700))),
        TLSStep(fromClient: true, bytes: tlsRecord(20, [1]) + tlsRecord(23, [UInt8](repeating: 0x98, count: 53))),
    ]
}

@Suite("TLS handshake decoding")
struct TLSTests {
    @Test("SHA-256 gives FIPS 180-4's digests for abc, the empty string and the 448-bit message")
    func sha256Vectors() {
        #expect(
            SHA256.hex(SHA256.digest(Array("abc".utf8)))
                == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(
            SHA256.hex(SHA256.digest([])) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(
            SHA256.hex(SHA256.digest(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(SHA256.hex(SHA256.digest(Array("abc".utf8)), limit: 12) == "ba7816bf8f01")
        // 55 and 56 bytes: the padding's edge, one block or two.
        #expect(
            SHA256.hex(SHA256.digest([UInt8](repeating: 0x61, count: 56)))
                == "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a")
    }

    @Test("JA4 of FoxIO's Chrome sample is t13d1516h2_8daaf6152771_e5627efa2ab1, GREASE left out")
    func ja4FoxIOSample() throws {
        let run = TLSRun.feed([TLSStep(fromClient: true, bytes: ja4SampleRecord)])
        let ch = try #require(run.messages.first?.clientHello)
        #expect(ch.ja4 == "t13d1516h2_8daaf6152771_e5627efa2ab1")
        #expect(
            ch.ja4Raw
                == "t13d1516h2_002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9_0005,000a,"
                + "000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01_0403,0804,0401,0503,0805,0501,0806,0601")
        #expect(ch.sni == "content-autofill.googleapis.com")
        #expect(ch.alpn == ["h2", "http/1.1"])
        #expect(ch.offeredVersions == [0x0304, 0x0303])
        #expect(ch.ciphers.first == 0x5a5a)
        #expect(ch.keyShareGroups == [0x3a3a, 0x001d])
        #expect(ch.pskKeyExchangeModes == [1])
        #expect(ch.malformed == nil)
        #expect(run.lines == ["C TLS ClientHello sni content-autofill.googleapis.com alpn h2,http/1.1 TLS 1.3,1.2"])
        var o = OutputBuffer(fd: -1)
        run.messages[0].appendJSON(to: &o)
        let json = String(decoding: o.bytes, as: UTF8.self)
        #expect(
            json.hasPrefix(
                "{\"message\":\"client_hello\",\"from_client\":true,\"first_frame\":1,\"frame\":1,\"handshake\":0,"
                    + "\"sni\":\"content-autofill.googleapis.com\",\"versions\":[\"TLS 1.3\",\"TLS 1.2\"],"
                    + "\"alpn\":[\"h2\",\"http/1.1\"],\"ja4\":\"t13d1516h2_8daaf6152771_e5627efa2ab1\""))
    }

    @Test("JA4's third hash matches a published JA4_r (browserleaks' Chrome 143)")
    func ja4PublishedRaw() {
        let c =
            "0005,000a,000b,000d,0012,0017,001b,0023,002b,002d,0033,44cd,fe0d,ff01_0403,0804,0401,0503,0805,0501,"
            + "0806,0601"
        #expect(SHA256.hex(SHA256.digest(Array(c.utf8)), limit: 12) == "d8a2da3f94cd")
        let b = "002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9"
        #expect(SHA256.hex(SHA256.digest(Array(b.utf8)), limit: 12) == "8daaf6152771")
    }

    @Test("JA4's ALPN part: 00 when none, one character repeated, hex ends when not alphanumeric")
    func ja4ALPN() {
        var ch = TLSClientHello()
        #expect(ch.ja4ALPN == "00")
        ch.firstALPNBytes = Array("h".utf8)
        #expect(ch.ja4ALPN == "hh")
        ch.firstALPNBytes = Array("http/1.1".utf8)
        #expect(ch.ja4ALPN == "h1")
        ch.firstALPNBytes = [0xab, 0x61]
        #expect(ch.ja4ALPN == "a1")
        ch.legacyVersion = 0x0301
        #expect(ch.ja4 == "t10i0000a1_000000000000_000000000000")
    }

    @Test("RFC 8448's ClientHello and ServerHello: SNI, versions, groups, TLS 1.3 and its cipher")
    func rfc8448() throws {
        let run = TLSRun.feed(rfc8448Exchange())
        let h = try #require(run.handshakes.first)
        #expect(run.handshakes.count == 1)
        let ch = try #require(h.clientHello)
        #expect(ch.sni == "server")
        #expect(ch.ciphers == [0x1301, 0x1303, 0x1302])
        #expect(ch.supportedVersions == [0x0304])
        #expect(ch.supportedGroups.count == 9)
        #expect(ch.keyShareGroups == [0x001d])
        #expect(ch.hasSessionTicket && ch.sessionTicketLength == 0)
        #expect(ch.signatureAlgorithms.count == 15)
        #expect(ch.extensions == [0, 0xff01, 0x0a, 0x23, 0x33, 0x2b, 0x0d, 0x2d, 0x1c])
        #expect(ch.ja4 == "t13d030900_55b375c5d22e_59cd3dafc54d")
        #expect(h.version == 0x0304)
        #expect(h.serverHello?.cipher == 0x1301)
        #expect(h.serverHello?.keyShareGroup == 0x1d)
        #expect(!h.isHelloRetryRequest && !h.resumed)
        #expect(h.encryptedFrameServer == 2 && h.encryptedFrameClient == 3)
        #expect(h.applicationDataRecordsServer == 1 && h.applicationDataBytesServer == 700)
        #expect(
            run.lines == [
                "C TLS ClientHello sni server TLS 1.3", "S TLS ServerHello TLS 1.3 TLS_AES_128_GCM_SHA256",
                "S TLS ChangeCipherSpec", "S TLS from here on encrypted: application data, 700 bytes",
                "C TLS ChangeCipherSpec", "C TLS from here on encrypted: application data, 53 bytes",
            ])
        let json = try #require(run.json.first)
        #expect(
            json.hasPrefix(
                "{\"kind\":\"tls\",\"stream\":3,\"client_hello_frame\":1,\"sni\":\"server\","
                    + "\"client_versions\":[\"TLS 1.3\"],\"alpn\":[],\"ja4\":\"t13d030900_55b375c5d22e_59cd3dafc54d\","
                    + "\"server_hello_frame\":2,\"version\":\"TLS 1.3\",\"cipher\":\"TLS_AES_128_GCM_SHA256\","
                    + "\"cipher_id\":4865,\"alpn_selected\":null,\"certificates\":[],\"alert\":null,\"resumed\":false,"
                    + "\"hrr\":false,\"index\":0,"))
        #expect(json.contains("\"encrypted_frame_client\":3,\"encrypted_frame_server\":2"))
    }

    @Test("A HelloRetryRequest answers the first ClientHello; the second is a handshake of its own")
    func helloRetryRequest() throws {
        let ch1 = clientHelloBody(
            ciphers: [0x1301],
            extensions: [
                sniExt("a.example"), tlsExt(0x2b, [2, 3, 4]), tlsExt(0x0a, tlsU16(4) + tlsList16([0x1d, 0x17])),
            ])
        let hrr = serverHelloBody(
            random: TLSServerHello.helloRetryRandom, cipher: 0x1301,
            extensions: [tlsExt(0x2b, tlsU16(0x0304)), tlsExt(0x33, tlsU16(0x17))])
        let sh = serverHelloBody(cipher: 0x1301, extensions: [tlsExt(0x2b, tlsU16(0x0304)), tlsExt(0x29, tlsU16(0))])
        let run = TLSRun.feed([
            TLSStep(fromClient: true, bytes: tlsRecord(22, tlsHandshake(1, ch1))),
            TLSStep(fromClient: false, bytes: tlsRecord(22, tlsHandshake(2, hrr)) + tlsRecord(20, [1])),
            TLSStep(fromClient: true, bytes: tlsRecord(20, [1]) + tlsRecord(22, tlsHandshake(1, ch1))),
            TLSStep(fromClient: false, bytes: tlsRecord(22, tlsHandshake(2, sh)) + tlsRecord(23, [1, 2, 3])),
        ])
        #expect(run.handshakes.count == 2)
        #expect(run.handshakes[0].isHelloRetryRequest)
        #expect(run.handshakes[0].serverHello?.keyShareGroup == 0x17)
        #expect(run.handshakes[1].clientHelloFrame == 3 && run.handshakes[1].serverHelloFrame == 4)
        #expect(!run.handshakes[1].isHelloRetryRequest)
        #expect(run.handshakes[1].resumed)  // the server's pre_shared_key
        #expect(run.lines[1] == "S TLS HelloRetryRequest TLS 1.3 TLS_AES_128_GCM_SHA256 group secp256r1")
        #expect(run.json[0].contains("\"hrr\":true"))
    }

    @Test("TLS 1.2 with a certificate: chain as x509.log, encryption after ChangeCipherSpec, data counted")
    func tls12Certificate() throws {
        let run = TLSRun.feed(tls12Exchange())
        #expect(run.handshakes.count == 1)
        let h = try #require(run.handshakes.first)
        #expect(h.version == 0x0303)
        #expect(h.serverHello?.cipher == 0xc02f)
        #expect(h.serverHello?.alpn == "http/1.1")
        #expect(!h.resumed)
        let cert = try #require(h.certificates.first)
        #expect(cert.malformed == nil)
        #expect(cert.subjectCN == "example.org")
        #expect(cert.subject == "CN=example.org,O=Wiretale Test,C=US")
        #expect(cert.issuer == cert.subject && cert.isSelfIssued)
        #expect(cert.serial == "1234ABCD")
        #expect(cert.version == 3)
        #expect(cert.notBefore == "2026-12-02T14:52:07Z" && cert.notAfter == "2027-12-02T14:52:07Z")
        #expect(cert.sanDNS == ["example.org", "www.example.org"])
        #expect(cert.sanIP == ["192.0.2.1"])
        #expect(cert.keyAlgorithm == "id-ecPublicKey")
        #expect(h.certificateFrame == 2)
        #expect(h.encryptedFrameClient == 3 && h.encryptedFrameServer == 4)
        #expect(h.applicationDataRecordsClient == 1 && h.applicationDataBytesClient == 100)
        #expect(h.applicationDataRecordsServer == 2 && h.applicationDataBytesServer == 542)
        #expect(h.encryptedAlerts == 1)
        #expect(h.problems.isEmpty)
        #expect(
            run.lines == [
                "C TLS ClientHello sni example.org alpn http/1.1 TLS 1.2",
                "S TLS ServerHello TLS 1.2 TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 alpn http/1.1",
                "S TLS Certificate CN=example.org (1 cert)", "S TLS ServerKeyExchange", "S TLS ServerHelloDone",
                "C TLS ClientKeyExchange", "C TLS ChangeCipherSpec",
                "C TLS from here on encrypted: handshake, 40 bytes",
                "S TLS ChangeCipherSpec", "S TLS from here on encrypted: handshake, 40 bytes",
                "C TLS application data 100 bytes (encrypted)", "S TLS application data 512 bytes (encrypted)",
                "S TLS application data 30 bytes (encrypted)",
                "C TLS Alert (encrypted: level and description unreadable)",
            ])
        #expect(run.json[0].contains("\"san_dns\":[\"example.org\",\"www.example.org\"],\"san_ip\":[\"192.0.2.1\"]"))
    }

    @Test("TLS 1.2 resumption: an echoed session id, ChangeCipherSpec straight after ServerHello")
    func tls12Resumed() {
        let sid = [UInt8](repeating: 5, count: 32)
        let ch = clientHelloBody(sessionID: sid, ciphers: [0xc02f], extensions: [sniExt("r.example")])
        let sh = serverHelloBody(sessionID: sid, cipher: 0xc02f, extensions: [])
        let run = TLSRun.feed([
            TLSStep(fromClient: true, bytes: tlsRecord(22, tlsHandshake(1, ch))),
            TLSStep(fromClient: false, bytes: tlsRecord(22, tlsHandshake(2, sh)) + tlsRecord(20, [1])),
        ])
        #expect(run.handshakes.first?.resumed == true)
        // A ticket: the server's session id differs, but no Certificate comes before its CCS.
        let sh2 = serverHelloBody(sessionID: [], cipher: 0xc02f, extensions: [tlsExt(0x23, [])])
        let run2 = TLSRun.feed([
            TLSStep(fromClient: true, bytes: tlsRecord(22, tlsHandshake(1, ch))),
            TLSStep(
                fromClient: false,
                bytes: tlsRecord(22, tlsHandshake(2, sh2) + tlsHandshake(4, [0, 0, 0, 1, 0, 0])) + tlsRecord(20, [1])),
        ])
        #expect(run2.handshakes.first?.resumed == true)
        #expect(TLSRun.feed(tls12Exchange()).handshakes.first?.resumed == false)
    }

    @Test("A plaintext alert is named: TLS Alert fatal handshake_failure")
    func alert() {
        let ch = clientHelloBody(ciphers: [0x0005], extensions: [])
        let run = TLSRun.feed([
            TLSStep(fromClient: true, bytes: tlsRecord(22, tlsHandshake(1, ch))),
            TLSStep(fromClient: false, bytes: tlsRecord(21, [2, 40])),
        ])
        #expect(run.lines.last == "S TLS Alert fatal handshake_failure")
        #expect(run.handshakes.first?.alertDescription == 40)
        #expect(run.json.first?.contains("\"alert\":\"fatal handshake_failure\"") == true)
    }

    @Test("An SSLv2-compatible ClientHello is recognised: versions and TLS ciphers")
    func sslv2Hello() throws {
        // RFC 5246 appendix E.2: 2-byte length (top bit set), msg_type 1, version 3.1, lengths.
        let specs: [UInt8] = [0x00, 0x00, 0x2f, 0x00, 0x00, 0x35, 0x07, 0x00, 0xc0]
        let challenge = [UInt8](repeating: 0x33, count: 16)
        let body: [UInt8] = [1, 3, 1] + tlsU16(specs.count) + tlsU16(0) + tlsU16(16) + specs + challenge
        let bytes: [UInt8] = [0x80 | UInt8(body.count >> 8), UInt8(body.count & 0xff)] + body
        let sh = serverHelloBody(version: 0x0301, cipher: 0x2f, extensions: [])
        let run = TLSRun.feed([
            TLSStep(fromClient: true, bytes: bytes),
            TLSStep(fromClient: false, bytes: tlsRecord(22, tlsHandshake(2, sh), version: 0x0301)),
        ])
        let ch = try #require(run.handshakes.first?.clientHello)
        #expect(ch.sslv2 && ch.ciphers == [0x2f, 0x35] && ch.legacyVersion == 0x0301)
        #expect(run.conversation.isTLS == true)
        #expect(
            run.lines == [
                "C TLS ClientHello (SSLv2-compatible) TLS 1.0",
                "S TLS ServerHello TLS 1.0 TLS_RSA_WITH_AES_128_CBC_SHA",
            ])
    }

    @Test("Bytes that are not TLS are marked once and both directions stop")
    func notTLS() {
        let run = TLSRun.feed([
            TLSStep(fromClient: true, bytes: Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8)),
            TLSStep(fromClient: false, bytes: tlsRecord(22, [1, 2, 3])),
        ])
        #expect(run.conversation.isTLS == false)
        #expect(run.messages.count == 1 && run.messages[0].kind == .problem)
        #expect(run.handshakes.isEmpty)
        #expect(run.conversation.hasStopped)
    }

    @Test("A handshake message over 64 KiB is skipped and marked; the next one is read")
    func oversized() {
        let big = tlsHandshake(11, [UInt8](repeating: 0, count: 70_000))
        let sh = serverHelloBody(cipher: 0x1301, extensions: [])
        var bytes: [UInt8] = tlsRecord(22, tlsHandshake(2, sh))
        var at = 0
        while at < big.count {
            let n = min(16384, big.count - at)
            bytes += tlsRecord(22, Array(big[at..<at + n]))
            at += n
        }
        bytes += tlsRecord(22, tlsHandshake(14, []))
        let run = TLSRun.feed([
            TLSStep(
                fromClient: true,
                bytes: tlsRecord(22, tlsHandshake(1, clientHelloBody(ciphers: [0x1301], extensions: [])))),
            TLSStep(fromClient: false, bytes: bytes),
        ])
        #expect(run.conversation.counters.oversizedMessages == 1)
        #expect(
            run.lines.contains(
                "S TLS problem [malformed TLS: Certificate of 70000 bytes skipped (over the 65536-byte cap)]"))
        #expect(run.lines.last == "S TLS ServerHelloDone")
    }

    @Test("Gaps: inside application data the boundary is kept; elsewhere the next header is found")
    func gaps() {
        let ch = tlsRecord(22, tlsHandshake(1, clientHelloBody(ciphers: [0x1301], extensions: [])))
        let app = tlsRecord(23, [UInt8](repeating: 0x44, count: 300))
        var run = TLSRun()
        var conversation = TLSConversation()
        func send(_ b: [UInt8], frame: Int) {
            b.withUnsafeBytes { p in
                conversation.receive(
                    .data(p, firstFrame: frame, lastFrame: frame), fromClient: true, frame: frame, time: .missing
                ) { run.take($0) }
            }
        }
        send(ch, frame: 1)
        send(Array(app[..<105]), frame: 2)
        conversation.receive(.gap(100), fromClient: true, frame: 3, time: .missing) { run.take($0) }
        send(Array(app[205...]) + app, frame: 4)
        #expect(conversation.counters.applicationDataRecords == 2)
        #expect(conversation.counters.problems == 0)
        // A gap across a record boundary: hunting finds the next header.
        conversation.receive(.gap(400), fromClient: true, frame: 5, time: .missing) { run.take($0) }
        send([UInt8](repeating: 0x44, count: 50) + app, frame: 6)
        #expect(conversation.counters.applicationDataRecords == 3)
        #expect(conversation.counters.skippedBytes == 50)
        #expect(conversation.counters.problems == 1)
    }

    @Test("Every segmentation (1 byte at a time, random splits) gives the same result")
    func segmentation() {
        for exchange in [tls12Exchange(), rfc8448Exchange(), [TLSStep(fromClient: true, bytes: ja4SampleRecord)]] {
            let whole = TLSRun.feed(exchange)
            let bytewise = TLSRun.feed(exchange) { [Int](repeating: 1, count: $0) }
            #expect(bytewise.lines == whole.lines)
            #expect(bytewise.json == whole.json)
            var rng = SplitMix64(state: 13)
            for _ in 0..<20 {
                let run = TLSRun.feed(exchange) { n in
                    var sizes: [Int] = []
                    var left = n
                    while left > 0 {
                        let s = Int(rng.next() % 40) + 1
                        sizes.append(min(s, left))
                        left -= s
                    }
                    return sizes
                }
                #expect(run.lines == whole.lines)
            }
        }
    }

    @Test("Every prefix and random bytes never crash or hang")
    func prefixesAndRandom() {
        let exchange = tls12Exchange()
        let client = exchange.filter(\.fromClient).flatMap(\.bytes)
        let server = exchange.filter { !$0.fromClient }.flatMap(\.bytes)
        for n in 0...client.count {
            let run = TLSRun.feed([TLSStep(fromClient: true, bytes: Array(client[..<n]))])
            // Only the whole ClientHello record is a ClientHello; any cut of it is reported.
            let chRecord = exchange[0].bytes.count
            #expect(run.messages.contains { $0.kind == .clientHello } == (n >= chRecord))
            if n > 0 && n < chRecord { #expect(run.messages.contains { $0.kind == .problem }) }
        }
        for n in stride(from: 0, through: server.count, by: 1) {
            _ = TLSRun.feed([
                TLSStep(fromClient: true, bytes: exchange[0].bytes),
                TLSStep(fromClient: false, bytes: Array(server[..<n])),
            ])
        }
        let chBody = Array(rfc8448ClientHello.dropFirst(4))
        for n in 0..<chBody.count {
            let ch = TLSClientHello(body: Array(chBody.prefix(n)))
            // A cut hello is malformed, unless it ends where the (optional) extensions would begin.
            #expect(ch.malformed != nil || ch.extensions.isEmpty)
        }
        for n in 0..<selfSignedDER.count {
            #expect(X509Certificate(der: Array(selfSignedDER[..<n])).malformed != nil)
        }
        var rng = SplitMix64(state: 8448)
        for _ in 0..<300 {
            let len = Int(rng.next() % 600)
            var r: [UInt8] = (0..<len).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            if rng.next() % 2 == 0 && len > 5 {
                r[0] = 22
                r[1] = 3
                r[2] = 3
            }
            _ = TLSRun.feed([TLSStep(fromClient: true, bytes: r), TLSStep(fromClient: false, bytes: r.reversed())])
            _ = TLSClientHello(body: r)
            _ = TLSServerHello(body: r)
            _ = X509Certificate(der: r)
        }
        // Mutations of a valid exchange: one byte changed anywhere.
        for _ in 0..<300 {
            var ex = exchange
            let k = Int(rng.next() % UInt64(ex.count))
            let i = Int(rng.next() % UInt64(ex[k].bytes.count))
            ex[k].bytes[i] = UInt8(truncatingIfNeeded: rng.next())
            _ = TLSRun.feed(ex)
        }
        var der = selfSignedDER
        for _ in 0..<500 {
            der = selfSignedDER
            der[Int(rng.next() % UInt64(der.count))] = UInt8(truncatingIfNeeded: rng.next())
            _ = X509Certificate(der: der)
        }
    }

    @Test("Names: versions, ciphers, alerts, GREASE")
    func names() {
        #expect(TLSNames.version(0x0300) == "SSL 3.0" && TLSNames.version(0x0304) == "TLS 1.3")
        #expect(TLSNames.cipher(0x1302) == "TLS_AES_256_GCM_SHA384" && TLSNames.cipher(0xabcd) == "0xabcd")
        #expect(TLSNames.alertDescription(112) == "unrecognized_name")
        #expect(TLSNames.isGREASE(0x0a0a) && TLSNames.isGREASE(0xfafa) && !TLSNames.isGREASE(0x0a1a))
        #expect(!TLSNames.isGREASE(0x1301))
        #expect(TLSMessage.versionList([0x0304, 0x0303, 0x0302]) == "TLS 1.3,1.2,1.1")
    }
}
