import Foundation

/// Runs the built `wiretale` binary the way a user would, and captures what it prints.
enum CLI {
    static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }()

    static func capture(_ name: String) -> String {
        packageRoot.appendingPathComponent("Captures").appendingPathComponent(name).path
    }

    /// `WIRETALE_BIN`, or the debug build next to the tests.
    static let binary: String = {
        if let b = ProcessInfo.processInfo.environment["WIRETALE_BIN"] { return b }
        let candidates = [
            ".build/debug/wiretale", ".build/x86_64-unknown-linux-gnu/debug/wiretale",
            ".build/aarch64-unknown-linux-gnu/debug/wiretale", ".build/release/wiretale",
        ]
        for c in candidates {
            let path = packageRoot.appendingPathComponent(c).path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return packageRoot.appendingPathComponent(candidates[0]).path
    }()

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var lines: [String] { stdout.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) }
    }

    static func run(_ arguments: [String], stdin: Data? = nil, environment: [String: String]? = nil) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = arguments
        if let env = environment { p.environment = env }
        let out = Pipe()
        let err = Pipe()
        p.standardOutput = out
        p.standardError = err
        let input = Pipe()
        p.standardInput = stdin == nil ? FileHandle.nullDevice : input
        try p.run()
        if let data = stdin {
            try input.fileHandleForWriting.write(contentsOf: data)
            try input.fileHandleForWriting.close()
        }
        // Read both pipes fully before waiting, so a large output cannot block the child.
        let errBox = DataBox()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errBox.data = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        let errData = errBox.data
        p.waitUntilExit()
        return Result(
            status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }

    static func json(_ r: Result) throws -> [[String: Any]] {
        try r.lines.map { line in
            guard let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw CLIError.notAnObject(line)
            }
            return o
        }
    }

    enum CLIError: Error { case notAnObject(String) }

    /// Bytes filled by one thread and read by another after a `DispatchGroup` wait (which orders them).
    final class DataBox: @unchecked Sendable {
        var data = Data()
    }
}
