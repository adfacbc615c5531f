import WiretaleCapture
import WiretaleCore

/// `wiretale serve` and `wiretale send` as functions: the notes' echo server and client, each
/// call logged on standard output as it happens, and the HTTP server of `lab servers`.
package enum EchoCommands {
    /// `serve tcp|udp`: the echo server on `address` until `limit` clients (TCP) or datagrams (UDP).
    ///
    /// - Throws: `CommandExit.failure` after printing the socket error.
    package static func serve(udp: Bool, bind address: SocketAddress, limit: Int?) throws(CommandExit) {
        // One line per call as it happens (written at once, even into a pipe).
        var out = LabOutput()
        let log: Echo.Log = { line in out.line("serve: " + line) }
        do {
            if udp {
                try Echo.serveUDP(bind: address, limit: limit, log: log)
            } else {
                try Echo.serveTCP(bind: address, limit: limit, log: log)
            }
        } catch {
            Diagnostics.error("\(error)")
            throw .failure
        }
    }

    /// `serve http`: a worker for one connection (`workerConnectionFD`, set by the process
    /// model), or the server in `model` on `listenFD` (set by `lab servers`) or on a new socket
    /// bound to `address`. Runs until stopped.
    package static func serveHTTP(
        bind address: SocketAddress, model: ExecutionUnit?, listenFD: Int32?, workerConnectionFD: Int32?,
        sharedFD: Int32?
    ) throws(CommandExit) {
        if let fd = workerConnectionFD { HTTPServer.runWorker(connectionFD: fd, sharedFD: sharedFD) }
        guard let model else { return }
        var listener: Socket?
        let fd: Int32
        if let l = listenFD {
            fd = l
        } else {
            do {
                let s = try Socket.tcp(family: address.family)
                try s.reuseAddress()
                try s.bind(address)
                try s.listen(backlog: 4096)
                listener = s
                fd = s.fd
            } catch {
                Diagnostics.error("\(error)")
                throw .failure
            }
            var out = LabOutput()
            out.line("serve: HTTP on \(address), model \(model.rawValue) (\(model.chinese)); Ctrl-C stops it")
        }
        _ = listener
        HTTPServer.run(
            HTTPServer.Options(
                model: model, listenFD: fd, executable: "/proc/self/exe", stopOnStdinEOF: listenFD != nil))
    }

    /// `send tcp|udp`: `message` to `host`:`port`, then the reply on standard output.
    ///
    /// - Throws: `CommandExit.failure` after printing the socket error, or when no UDP reply came
    ///   within `timeoutMilliseconds`.
    package static func send(
        udp: Bool, host: String, port: UInt16, message: String, timeoutMilliseconds timeout: Int
    ) throws(CommandExit) {
        // One line per call as it happens (written at once, even into a pipe).
        var out = LabOutput()
        let log: Echo.Log = { line in out.line("send: " + line) }
        do {
            let bytes = Array(message.utf8)
            if udp {
                let address = try SocketAddress.resolve(host, port: port, udp: true)
                guard let reply = try Echo.sendUDP(to: address, message: bytes, timeoutMilliseconds: timeout, log: log)
                else { throw CommandExit.failure }
                out.line(String(decoding: reply, as: UTF8.self))
            } else {
                let address = try SocketAddress.resolve(host, port: port, udp: false)
                let reply = try Echo.sendTCP(to: address, message: bytes, timeoutMilliseconds: timeout, log: log)
                out.line(String(decoding: reply, as: UTF8.self))
            }
        } catch let error as SocketError {
            Diagnostics.error("\(error)")
            throw .failure
        } catch let exit as CommandExit {
            throw exit
        } catch {
            // Echo throws only SocketError.
            Diagnostics.error("\(error)")
            throw .failure
        }
    }
}
