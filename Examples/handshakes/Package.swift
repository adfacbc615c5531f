// swift-tools-version:6.0
import PackageDescription

// A program outside wiretale that uses only its library: each TCP connection's handshake.
let package = Package(
    name: "handshakes",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "wiretale", path: "../..")
    ],
    targets: [
        .executableTarget(
            name: "handshakes",
            dependencies: [.product(name: "WiretaleCore", package: "wiretale")]
        )
    ],
    swiftLanguageModes: [.v6]
)
