// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "wiretale",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "wiretale", targets: ["wiretale"]),
        .library(name: "WiretaleCore", targets: ["WiretaleCore"]),
        .library(name: "WiretaleCapture", targets: ["WiretaleCapture"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.30.0"),
    ],
    targets: [
        // libpcap, at the edge: live capture and the BPF compiler.
        .systemLibrary(
            name: "CPcap",
            pkgConfig: "libpcap",
            providers: [.apt(["libpcap-dev"])]
        ),
        // zlib, for Content-Encoding: gzip/deflate (`trace`, and the HTTP transactions of a capture).
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // Linux calls the Glibc module leaves out (epoll, accept4, pipe2, memfd_create), for `lab servers`.
        .target(name: "CLinux"),
        // The pure-Swift core: capture files, decoding, flow tracking, the notes' vocabulary. No libpcap.
        // No unsafe flags in a library target: SwiftPM refuses them in a package used by URL. Without
        // -enforce-exclusivity=unchecked here, conversations spent 0.689 s of CPU against 0.673 s, and
        // read --format none the same 0.653 s, on the 1.16 M-packet bench capture (best of 8 rounds each).
        .target(name: "WiretaleCore", dependencies: ["WiretaleSystem", "CZlib"]),
        // The system plumbing every module shares, once: socket addresses, errno names, process
        // spawning, procfs reading, threads, the monotonic clock. `package` access: the package's
        // own modules use it; it is no product's API. Pure Swift over Glibc, no unsafe flags.
        .target(name: "WiretaleSystem"),
        // Everything that talks to libpcap: BPF filters, live capture, interfaces.
        .target(name: "WiretaleCapture", dependencies: ["CPcap", "WiretaleCore", "WiretaleSystem"]),
        // `wiretale trace`: a real fetch, step by step.
        .target(
            name: "WiretaleTrace",
            dependencies: [
                "WiretaleCore", "WiretaleCapture", "WiretaleSystem", "CZlib",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        // The notes' client/server code as labs (`serve`, `send`, `lab`, `tour`): sockets, kernel states;
        // the tour's section 4 is a `trace` against its own servers.
        .target(
            name: "WiretaleLab",
            dependencies: ["WiretaleCore", "WiretaleCapture", "WiretaleTrace", "WiretaleSystem", "CLinux"]
        ),
        .executableTarget(
            name: "wiretale",
            dependencies: [
                "WiretaleCore", "WiretaleCapture", "WiretaleTrace", "WiretaleLab",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
            // Argument parsing only, and no unsafe flags: the per-packet loops of read/conversations/
            // capture run in WiretaleCapture (FileCommands, CaptureCommandRunner), a library, so
            // -enforce-exclusivity=unchecked here would cover nothing that runs per packet
            // (scripts/bench.py --compare against the build that had it: see the README's Benchmark).
        ),
        .testTarget(name: "WiretaleCoreTests", dependencies: ["WiretaleCore"]),
        .testTarget(name: "WiretaleSystemTests", dependencies: ["WiretaleSystem"]),
        .testTarget(name: "WiretaleCaptureTests", dependencies: ["WiretaleCapture", "WiretaleCore"]),
        .testTarget(
            name: "WiretaleTraceTests",
            dependencies: ["WiretaleTrace", "WiretaleCore", "WiretaleSystem"],
            exclude: ["Netns/netns.sh", "Hostile/hostile.py"]
        ),
        .testTarget(name: "WiretaleCLITests", dependencies: ["WiretaleCore"]),
        .testTarget(
            name: "WiretaleLabTests",
            dependencies: ["WiretaleLab", "WiretaleCore", "WiretaleCapture", "WiretaleSystem"]),
    ],
    swiftLanguageModes: [.v6]
)
