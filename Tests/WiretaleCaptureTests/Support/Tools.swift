import Foundation

/// External programs the tests read our output with, and scratch paths.
enum Tools {
    static let tcpdump = find("tcpdump")
    static let tshark = find("tshark")

    static func find(_ name: String) -> String? {
        for directory in ["/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin", "/bin", "/sbin"] {
            let path = directory + "/" + name
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
        var lines: [Substring] { stdout.split(separator: "\n") }
    }

    /// Runs `path` with `arguments` and waits (bounded by `timeout`); stdout and stderr captured.
    @discardableResult
    static func run(
        _ path: String, _ arguments: [String], environment: [String: String]? = nil, timeout: TimeInterval = 60
    ) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Read both pipes to the end before waiting, so a chatty child cannot block on a full pipe.
        let group = DispatchGroup()
        nonisolated(unsafe) var errData = Data()
        group.enter()
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let killer = DispatchWorkItem { process.terminate() }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: killer)
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        killer.cancel()
        return Output(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }

    /// A path in the temporary directory unique to this process and call.
    static func temporaryPath(_ name: String) -> String {
        let directory = ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"
        return "\(directory)/wiretale-capture-\(getpid())-\(UUID().uuidString.prefix(8))-\(name)"
    }
}
