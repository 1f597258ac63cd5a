import BrigadeSync
import CurlHTTP
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A tiny blocking-socket HTTP server on 127.0.0.1 at a random port, for the cases a real
/// server library hides: seeing the client close, stalling mid-body, never answering, or
/// streaming as fast as the socket takes it. Each connection runs `handler` on its own thread.
final class RawServer: Sendable {
    let port: UInt16
    private let listener: Int32
    private let openConnections = LockedState<Set<Int32>>([])
    private let acceptLoopEnded = Promise<Void>()
    /// Connections accepted so far.
    let acceptedCount = LockedState(0)

    /// - Parameters:
    ///   - backlog: the `listen` backlog.
    ///   - accepts: whether to accept at all; `false` leaves connections in the backlog.
    ///   - handler: serves one connection; the socket is closed when it returns.
    init(backlog: Int32 = 128, accepts: Bool = true, handler: @escaping @Sendable (RawConnection) -> Void = { _ in }) throws {
        let (listener, port) = try Self.listen(backlog: backlog)
        self.listener = listener
        self.port = port
        guard accepts else {
            acceptLoopEnded.fulfill(())
            return
        }
        let connections = openConnections
        let ended = acceptLoopEnded
        let accepted = acceptedCount
        Thread.detachNewThread {
            while true {
                let fd = accept(listener, nil, nil)
                if fd < 0 {
                    if errno == EINTR { continue }
                    break
                }
                accepted.withLock { $0 += 1 }
                connections.withLock { _ = $0.insert(fd) }
                Thread.detachNewThread {
                    handler(RawConnection(fd: fd))
                    connections.withLock { _ = $0.remove(fd) }
                    close(fd)
                }
            }
            ended.fulfill(())
        }
    }

    /// The base URL, `http://127.0.0.1:PORT`.
    var url: String { "http://127.0.0.1:\(port)" }

    /// Stops accepting and shuts every open connection down (their handlers see EOF).
    func stop() async {
        shutdown(listener, Int32(SHUT_RDWR))
        for fd in openConnections.withLock({ $0 }) {
            shutdown(fd, Int32(SHUT_RDWR))
        }
        await acceptLoopEnded.value
        close(listener)
    }

    static func listen(backlog: Int32) throws -> (Int32, UInt16) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXFailure("socket", errno) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = loopbackAddress(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else { close(fd); throw POSIXFailure("bind", errno) }
        guard Glibc.listen(fd, backlog) == 0 else { close(fd); throw POSIXFailure("listen", errno) }
        return (fd, try localPort(of: fd))
    }

    /// A socket bound to a port of 127.0.0.1 but never listening: connections to the port are refused
    /// while the socket stays open (close it when done), and no other test can take the port meanwhile.
    /// (A listener that was just closed is not as reliable in a parallel run: another test may bind
    /// the port, and a child forked at that moment keeps a copy of the listening socket until it execs.)
    static func refusingPort() throws -> (socket: Int32, port: UInt16) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw POSIXFailure("socket", errno) }
        var address = loopbackAddress(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else { close(fd); throw POSIXFailure("bind", errno) }
        return (fd, try localPort(of: fd))
    }

    static func loopbackAddress(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }

    static func localPort(of fd: Int32) throws -> UInt16 {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let result = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard result == 0 else { throw POSIXFailure("getsockname", errno) }
        return UInt16(bigEndian: address.sin_port)
    }
}

struct POSIXFailure: Error, CustomStringConvertible {
    var call: String
    var code: Int32
    init(_ call: String, _ code: Int32) {
        self.call = call
        self.code = code
    }
    var description: String { "\(call) failed: \(String(cString: strerror(code)))" }
}

/// One accepted connection, used by its handler thread only.
final class RawConnection {
    let fd: Int32
    private var pending: [UInt8] = []

    init(fd: Int32) {
        self.fd = fd
    }

    /// Reads one request (head and `Content-Length` body). `nil` if the peer closed first.
    func readRequest() -> (head: String, body: [UInt8])? {
        let separator = Array("\r\n\r\n".utf8)
        var headEnd: Int?
        while headEnd == nil {
            if let range = pending.firstRange(of: separator) {
                headEnd = range.upperBound
            } else if !receiveMore() {
                return nil
            }
        }
        guard let headEnd else { return nil }
        let head = String(decoding: pending[..<headEnd], as: UTF8.self)
        pending.removeFirst(headEnd)
        let length = head.split(separator: "\r\n")
            .first { $0.lowercased().hasPrefix("content-length:") }
            .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
        while pending.count < length {
            guard receiveMore() else { return nil }
        }
        let body = Array(pending[..<length])
        pending.removeFirst(length)
        return (head, body)
    }

    /// Sends everything; `false` once the peer is gone.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if sent < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += sent
        }
        return true
    }

    @discardableResult
    func send(_ text: String) -> Bool {
        send(Array(text.utf8))
    }

    /// Blocks until the peer closes the connection (or it is shut down).
    func waitForClose() {
        while receiveMore() {}
    }

    /// Reads more bytes into `pending`; `false` at EOF or error.
    private func receiveMore() -> Bool {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return false }
            pending.append(contentsOf: buffer[..<count])
            return true
        }
    }
}
