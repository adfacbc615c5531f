import Foundation
import Testing
import WiretaleCore
import WiretaleSystem

@testable import WiretaleLab

#if canImport(Glibc)
    import Glibc
#endif

/// Options for the servers lab with the built binary as the server program.
func serversOptions() throws -> ServersLab.Options {
    var o = ServersLab.Options(executable: try #require(wiretaleBinary(), "the wiretale binary is built"))
    o.seconds = 20
    return o
}

@Suite("lab servers: processes, threads and coroutines", .serialized)
struct ServersLabTests {
    @Test(
        "each model answers every request, with the processes and threads its model implies",
        arguments: ExecutionUnit.allCases)
    func countsMatchTheModel(_ model: ExecutionUnit) throws {
        let o = try serversOptions()
        let c = 20
        var options = o
        options.requests = 600
        let run = ServersLab.measure(model, concurrency: c, options)
        #expect(run.failure == nil)
        #expect(run.answered == 600)
        #expect(run.errors == 0)
        #expect(run.requestsPerSecond > 0)
        #expect((run.p50Ms ?? 0) > 0 && (run.p99Ms ?? 0) >= (run.p50Ms ?? 0))
        #expect(run.snapshot.pssKiB > 0)
        #expect(run.cpuMs > 0)
        #expect(run.ctxVoluntary > 0)
        switch model {
        case .process:
            // The server and a worker for each connection, each with at least one thread.
            #expect(run.snapshot.processes == c + 1)
            #expect(run.snapshot.threads >= c + 1)
        case .thread:
            #expect(run.snapshot.processes == 1)
            #expect(run.snapshot.threads >= c + 1)
        case .coroutine:
            // One process, a few threads for all the connections.
            #expect(run.snapshot.processes == 1)
            #expect(run.snapshot.threads >= 2)
            #expect(run.snapshot.threads < c)
        }
    }

    @Test("a thread's /proc/PID/task/TID names its process as Tgid")
    func threadLivesInItsProcess() throws {
        var o = try serversOptions()
        o.requests = 20
        let run = ServersLab.measure(.thread, concurrency: 3, o)
        let e = try #require(run.snapshot.threadInProcess)
        #expect(e.tgid == e.pid)
        #expect(e.tid != e.pid)
        #expect(e.siblings == run.snapshot.threads)
        #expect(run.snapshot.pids == [e.pid])
    }

    @Test("processes keep a counter each (and one shared on purpose); threads and coroutines one in all")
    func sharedCounter() throws {
        let o = try serversOptions()
        let p = ServersLab.sharedCounter(.process, o)
        #expect(p.counters.count == p.connections)
        #expect(p.counters.reduce(0, +) == p.requests)
        #expect(p.sharedMemory == p.requests)
        for m in [ExecutionUnit.thread, .coroutine] {
            let s = ServersLab.sharedCounter(m, o)
            #expect(s.counters == [s.requests], "\(m)")
            #expect(s.sharedMemory == nil)
        }
    }

    @Test("a crashing handler ends one worker process, but the whole server under threads and coroutines")
    func crashIsolation() throws {
        let o = try serversOptions()
        let p = ServersLab.crash(.process, o)
        #expect(p.servedAfterCrash == p.others)
        #expect(p.others == 3)
        #expect(p.newConnectionServed)
        #expect(p.serverSignal == nil)
        #expect(p.processesAfter == p.processesBefore - 1)
        for m in [ExecutionUnit.thread, .coroutine] {
            let c = ServersLab.crash(m, o)
            #expect(c.servedAfterCrash == 0, "\(m)")
            #expect(!c.newConnectionServed)
            #expect(c.serverSignal != nil)
            #expect(c.processesBefore == 1 && c.processesAfter == 0)
        }
    }

    @Test("starting a process costs more than starting a thread, measured")
    func startCost() throws {
        let o = try serversOptions()
        let (p, pn) = ServersLab.startCost(.process, executable: o.executable)
        let (t, tn) = ServersLab.startCost(.thread, executable: o.executable)
        let (k, kn) = ServersLab.startCost(.coroutine, executable: o.executable)
        #expect(pn == 20 && tn > 0 && kn > 0)
        #expect(p > 0 && t > 0 && k > 0)
        #expect(p > t)
    }

    @Test("lab servers prints JSON with the runs and the experiments, and rejects a bad ladder")
    func command() throws {
        let bin = try #require(wiretaleBinary())
        let r = runProgram([
            bin, "lab", "servers", "--concurrency", "1,4", "--requests", "200", "--models", "thread,process",
            "--format", "json",
        ])
        #expect(r.status == 0)
        for key in [
            "\"runs\": [", "\"model\": \"thread\"", "\"model\": \"process\"", "\"concurrency\": 4",
            "\"requests\": 200", "\"errors\": 0", "\"pss_kib\"", "\"ctx_involuntary\"",
            "\"start_cost_us\": {\"thread\"",
            "\"served_after_crash\": 3", "\"shared_memory\": 100",
        ] {
            #expect(r.output.contains(key), "\(key)")
        }
        let zh = runProgram([bin, "lab", "servers", "--concurrency", "2", "--requests", "50", "--lang", "zh"])
        #expect(zh.status == 0)
        #expect(zh.output.contains("线程不能够独立执行"))
        #expect(zh.output.contains("协程"))
        for bad in [["--concurrency", "0"], ["--concurrency", "1,x"], ["--requests", "0"], ["--models", "fiber"]] {
            #expect(runProgram([bin, "lab", "servers"] + bad).status != 0, "\(bad)")
        }
        #expect(runProgram([bin, "serve", "http"]).status != 0)
    }
}

@Suite("serve http on its own, driven by the lab's load")
struct ServeHTTPTests {
    @Test("serve http --model coroutine answers every request of lab servers --target", .timeLimit(.minutes(2)))
    func target() throws {
        let bin = try #require(wiretaleBinary())
        // A port the kernel just handed out and took back: free, barring a race with another program.
        let probe = try Socket.tcp()
        try probe.bind(SocketAddress(ip: "127.0.0.1", port: 0)!)
        let port = try probe.localAddress().port
        probe.close()
        let pid = try #require(
            ChildProcess.spawn([bin, "serve", "http", "--model", "coroutine", "--port", "\(port)"], fds: []))
        defer {
            kill(pid, SIGTERM)
            _ = ChildProcess.wait(pid, seconds: 5)
        }
        var up = false
        for _ in 0..<100 where !up {
            if let s = try? Socket.tcp(), (try? s.connect(SocketAddress(ip: "127.0.0.1", port: port)!)) != nil {
                up = true
            } else {
                usleep(50_000)
            }
        }
        #expect(up)
        let r = runProgram([
            bin, "lab", "servers", "--target", "127.0.0.1:\(port)", "--concurrency", "3,30", "--requests", "300",
        ])
        #expect(r.status == 0)
        #expect(r.output.components("300 answered, 0 errors") == 2, "\(r.output)")
        let j = runProgram([
            bin, "lab", "servers", "--target", "127.0.0.1:\(port)", "--concurrency", "3", "--requests", "50",
            "--format", "json",
        ])
        #expect(j.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(j.output.utf8)) as? [String: Any]
        #expect(object?["concurrency"] as? Int == 3 && object?["requests"] as? Int == 50, "\(j.output)")
        #expect(object?["errors"] as? Int == 0 && (object?["requests_per_s"] as? Double ?? 0) > 0)
        #expect(runProgram([bin, "lab", "servers", "--target", "nowhere"]).status != 0)
    }
}

@Suite("the lab's load generator")
struct LoadGeneratorTests {
    @Test("a response whose head never ends is an error, not a buffer that grows", .timeLimit(.minutes(1)))
    func endlessHead() throws {
        let server = try Socket.tcp()
        try server.bind(SocketAddress(ip: "127.0.0.1", port: 0)!)
        try server.listen()
        let address = try server.localAddress()
        let box = SendableBox(server)
        let t = try #require(
            startThread {
                guard let (c, _) = try? box.value.accept() else { return }
                // The request first, so that the wait below is for the client's close alone.
                _ = try? c.receive()
                // Headers without the blank line that ends them, until the client stops reading.
                let line = [UInt8]("X-Filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n".utf8)
                var sent = 0
                while sent < 2 << 20 {
                    let n = line.withUnsafeBytes { send(c.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                    if n <= 0 { break }
                    sent += n
                }
                // Keep the connection open: only the client's cap can end its wait before the deadline.
                _ = try? c.receive()
                c.close()
            })
        do {
            let load = try LoadGenerator(address: address, connections: 1)
            let r = load.run(requests: 1, seconds: 5, threads: 1)
            #expect(r.answered == 0)
            #expect(r.errors == 1)
            #expect(r.unfinished == 0)
            #expect(r.elapsedNs < 4_000_000_000)
        }
        // The generator is gone and its connection closed: the server thread ends.
        joinThread(t)
        server.close()
    }
}

@Suite("the HTTP handling every model shares")
struct HTTPHandlingTests {
    func feed(_ c: inout HTTPHandling.Connection, _ s: String, _ counter: RequestCounter) -> (String, Bool) {
        let (reply, close) = Array(s.utf8).withUnsafeBytes { c.consume($0, counter: counter, shared: nil) }
        return (String(decoding: reply, as: UTF8.self), close)
    }

    @Test("requests split across reads and two in one read are each answered once, in order")
    func keepAlive() {
        var c = HTTPHandling.Connection()
        let counter = RequestCounter()
        let (none, _) = feed(&c, "GET / HTTP/1.1\r\nHo", counter)
        #expect(none.isEmpty)
        let (one, close1) = feed(
            &c, "st: x\r\n\r\nGET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\nConnection: close\r\n\r\n", counter)
        #expect(one.components("HTTP/1.1 200 OK") == 3)
        #expect(one.contains("X-Wiretale-Count: 1\r\n") && one.contains("X-Wiretale-Count: 3\r\n"))
        #expect(close1)
        let head = ResponseHead.parse(Array(one.utf8), counters: true)
        #expect(head?.status == 200)
        #expect(head?.count == 1)
        #expect(head?.pid == getpid())
    }

    @Test("a malformed request gets 400 and the connection closes")
    func badRequest() {
        var c = HTTPHandling.Connection()
        let (reply, close) = feed(&c, "HELLO\r\n\r\n", RequestCounter())
        #expect(reply.hasPrefix("HTTP/1.1 400"))
        #expect(close)
    }

    @Test("a head longer than the cap gets 431")
    func headCap() {
        var c = HTTPHandling.Connection()
        let (reply, close) = feed(
            &c, "GET / HTTP/1.1\r\nX: " + String(repeating: "a", count: HTTPHandling.maxHead + 10), RequestCounter())
        #expect(reply.hasPrefix("HTTP/1.1 431"))
        #expect(close)
    }
}

extension String {
    /// How many times `s` occurs.
    func components(_ s: String) -> Int {
        var n = 0
        var rest = Substring(self)
        while let r = rest.firstRange(of: s) {
            n += 1
            rest = rest[r.upperBound...]
        }
        return n
    }
}
