// swift-tools-version:5.4
// libFuzzer targets for WiretaleCore (issue 9). Not part of the root package: built only by
// `scripts/fuzz`, with `-sanitize=fuzzer,address -parse-as-library` as swift-protobuf's FuzzTesting
// package is, so the root package's library targets stay free of unsafe flags.
//
// Tools version 5.4 on purpose: from 5.5 on, SwiftPM links every executable with
// `--defsym main=<Module>_main` (so tests can link executables), and with `-parse-as-library` there is
// no such symbol; here `main` is libFuzzer's. (So these few files compile in language mode 5.)
import PackageDescription

/// A fuzz target: an executable whose `LLVMFuzzerTestOneInput` reads WiretaleCore's public API.
func fuzzTarget(_ name: String) -> Target {
    .executableTarget(name: name, dependencies: ["FuzzSupport", .product(name: "WiretaleCore", package: "wiretale")])
}

let package = Package(
    name: "WiretaleFuzz",
    products: [
        .executable(name: "capture-file", targets: ["FuzzCaptureFile"]),
        .executable(name: "packets", targets: ["FuzzPackets"]),
        .executable(name: "dns", targets: ["FuzzDNS"]),
        .executable(name: "http-line", targets: ["FuzzHTTPLine"]),
        .executable(name: "http-response", targets: ["FuzzHTTPResponse"]),
    ],
    dependencies: [.package(name: "wiretale", path: "../..")],
    targets: [
        .target(name: "FuzzSupport", dependencies: [.product(name: "WiretaleCore", package: "wiretale")]),
        fuzzTarget("FuzzCaptureFile"),
        fuzzTarget("FuzzPackets"),
        fuzzTarget("FuzzDNS"),
        fuzzTarget("FuzzHTTPLine"),
        // The core's HTTP/1.x message parser, response parser and chunked decoder (the trace reads
        // its responses with them).
        fuzzTarget("FuzzHTTPResponse"),
    ],
    swiftLanguageVersions: [.v5]
)
