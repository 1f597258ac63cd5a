import Brigade
import BrigadeTesting
import CBenchSocket
#if canImport(Glibc)
import Glibc
#endif

/// The benchmarks' lean model server: answers like ``FakeModelServer`` — the same bytes, written
/// in the same pieces, after the same latency — at a fraction of its CPU, so that a benchmark's
/// model server takes as little as possible of the cores Brigade runs on (in real use the model
/// server is remote).
///
/// One thread, `ppoll(2)` (through CBenchSocket), non-blocking sockets on 127.0.0.1 with `TCP_NODELAY`, HTTP/1.1
/// keep-alive; a connection answers its requests one after another. Each answer is a
/// ``FakeAnswer`` framed as FlyingFox frames it (``LeanHTTPResponse``), held until its turn's
/// ``FakeLatency/beforeHead`` has passed. What it does not do: request bodies in chunked transfer
/// encoding (the connection closes), turns that need timing inside the body (faults, gather
/// barriers, recorded bytes, pauses between events: answered with a 500), rate limits, request
/// recording. Not thread-safe: create it and call ``serve(commands:_:)`` on one thread.
final class LeanModelServer {
    /// The port it listens on, at 127.0.0.1.
    let port: UInt16
    /// When each answered request arrived and when its answer was ready, in the order answered.
    private(set) var timings: [FakeRequestTiming] = []

    private let listener: Int32
    private let respond: (FakeModelRequest) -> FakeTurn
    private var connections: [Int32: LeanConnection] = [:]
    /// When the held answer of each connection that holds one is due.
    private var dueTimes: [Int32: ContinuousClock.Instant] = [:]
    /// Requests answered from a turn so far; the n-th is rendered with sequence n, as in ``FakeModelServer``.
    private var sequence = 0
    private var readBuffer = [UInt8](repeating: 0, count: 65_536)

    /// Listens on 127.0.0.1 at a port the system picks.
    /// - Parameter respond: the turn for each request (``BenchScenario/respond(to:)``).
    /// - Throws: ``ModelServerProcessError`` when the socket cannot be set up.
    init(respond: @escaping (FakeModelRequest) -> FakeTurn) throws {
        self.respond = respond
        signal(SIGPIPE, SIG_IGN)
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard listener >= 0 else { throw ModelServerProcessError(message: "lean model server: socket() failed, errno \(errno)") }
        Self.setOption(listener, SOL_SOCKET, SO_REUSEADDR)
        Self.setOption(listener, Int32(IPPROTO_TCP), TCP_NODELAY)  // copied to every accepted socket
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) == 0 && listen(listener, 1024) == 0 && getsockname(listener, $0, &length) == 0 }
        }
        guard bound else {
            close(listener)
            throw ModelServerProcessError(message: "lean model server: cannot listen on 127.0.0.1, errno \(errno)")
        }
        self.listener = listener
        self.port = UInt16(bigEndian: address.sin_port)
    }

    deinit {
        for descriptor in connections.keys { close(descriptor) }
        close(listener)
    }

    /// Forgets the timings so far.
    func clearTimings() { timings.removeAll() }

    /// Serves until `commands` (a readable descriptor) reaches its end, handing each line read from
    /// it (without the newline) to `command`, on this thread.
    func serve(commands: Int32, _ command: (String) -> Void) {
        var pendingCommand: [UInt8] = []
        while true {
            var descriptors = [pollfd(fd: listener, events: Int16(POLLIN), revents: 0), pollfd(fd: commands, events: Int16(POLLIN), revents: 0)]
            for (descriptor, connection) in connections {
                descriptors.append(pollfd(fd: descriptor, events: Int16(connection.isWriting ? POLLIN | POLLOUT : POLLIN), revents: 0))
            }
            let ready: Int32
            if var timeout = nextTimeout() {
                ready = cbenchsocket_ppoll(&descriptors, nfds_t(descriptors.count), &timeout)
            } else {
                ready = cbenchsocket_ppoll(&descriptors, nfds_t(descriptors.count), nil)
            }
            if ready < 0, errno != EINTR { fatalError("lean model server: ppoll failed, errno \(errno)") }
            if ready > 0 {
                if descriptors[1].revents != 0 {
                    let count = read(commands, &readBuffer, readBuffer.count)
                    if count <= 0 { return }
                    pendingCommand += readBuffer[0..<count]
                    while let end = pendingCommand.firstIndex(of: 10) {
                        command(String(decoding: pendingCommand[..<end], as: UTF8.self))
                        pendingCommand.removeSubrange(...end)
                    }
                }
                if descriptors[0].revents != 0 { acceptConnections() }
                for entry in descriptors.dropFirst(2) where entry.revents != 0 {
                    if entry.revents & Int16(POLLOUT) != 0 { flush(entry.fd) }
                    if entry.revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 { receive(entry.fd) }
                }
            }
            answerDueRequests()
        }
    }

    /// `ppoll`'s timeout: until the earliest held answer is due; `nil` when none is held.
    private func nextTimeout() -> timespec? {
        guard let due = dueTimes.values.min() else { return nil }
        let wait = max(.zero, due - ContinuousClock.now).components
        return timespec(tv_sec: Int(wait.seconds), tv_nsec: Int(wait.attoseconds / 1_000_000_000))
    }

    private func acceptConnections() {
        while true {
            let descriptor = cbenchsocket_accept(listener)
            guard descriptor >= 0 else { return }
            Self.setOption(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY)
            connections[descriptor] = LeanConnection()
        }
    }

    /// Reads what `descriptor` has, then starts on the next request if the connection is idle.
    private func receive(_ descriptor: Int32) {
        guard connections[descriptor] != nil else { return }
        while true {
            let count = read(descriptor, &readBuffer, readBuffer.count)
            if count > 0 {
                connections[descriptor]?.input += readBuffer[0..<count]
                if count < readBuffer.count { break }
            } else if count < 0, errno == EAGAIN || errno == EWOULDBLOCK {
                break
            } else if count < 0, errno == EINTR {
                continue
            } else {
                return closeConnection(descriptor)  // end of stream or a reset
            }
        }
        startNextRequest(descriptor)
    }

    /// Parses the next buffered request of an idle connection and holds its answer until it is due.
    private func startNextRequest(_ descriptor: Int32) {
        guard var connection = connections[descriptor], connection.isIdle else { return }
        switch LeanHTTPRequest.parse(connection.input[connection.consumed...]) {
        case .incomplete:
            connection.compact()
            connections[descriptor] = connection
        case .invalid(let reason):
            FileHandleOutput.standardError("lean model server: closing a connection: \(reason)\n")
            closeConnection(descriptor)
        case .request(let request, let length):
            connection.consumed += length
            let arrival = ContinuousClock.now
            let (answer, latency, timed) = self.answer(request)
            let connectionHeader = request.keepsAlive ? request.headers["connection"] : nil
            connection.held = LeanConnection.Held(
                arrival: arrival, timed: timed,
                writes: LeanHTTPResponse.writes(answer, connection: connectionHeader), closes: !request.keepsAlive)
            connections[descriptor] = connection
            dueTimes[descriptor] = arrival + latency
            if latency <= .zero { answerDueRequests() }
        }
    }

    /// The answer to `request`, how long to hold it, and whether it counts in ``timings``
    /// (requests answered from a turn do, refused ones do not — as in ``FakeModelServer``).
    private func answer(_ request: LeanHTTPRequest) -> (FakeAnswer, latency: Duration, timed: Bool) {
        let api: FakeModelRequest.API
        if request.path.hasSuffix("/chat/completions") {
            api = .openAIChat
        } else if request.path.hasSuffix("/messages") {
            api = .anthropicMessages
        } else {
            return (.error(api: .openAIChat, status: 404, message: "fake model server: no API at \(request.path)"), .zero, false)
        }
        if let host = request.headers["host"], !host.hasSuffix(":\(port)") {
            return (.error(api: .openAIChat, status: 421, message: "fake model server on port \(port) got a request for \(host)"), .zero, false)
        }
        sequence += 1
        let modelRequest = FakeModelRequest(
            api: api, method: request.method, path: request.path, headers: request.headers, bodyText: String(decoding: request.body, as: UTF8.self))
        let turn = respond(modelRequest)
        guard let answer = FakeAnswer(turn: turn, request: modelRequest, sequence: sequence) else {
            let message = "lean model server: cannot play a turn with a fault, a gather barrier, recorded bytes or pauses inside its body"
            return (.error(api: api, status: 500, message: message), turn.latency.beforeHead, true)
        }
        return (answer, turn.latency.beforeHead, true)
    }

    /// Starts writing every held answer that is due.
    private func answerDueRequests() {
        let now = ContinuousClock.now
        let due = dueTimes.filter { $0.value <= now }
        for descriptor in due.keys {
            dueTimes[descriptor] = nil
            guard let held = connections[descriptor]?.held else { continue }
            if held.timed { timings.append(FakeRequestTiming(arrival: held.arrival, answered: now)) }
            connections[descriptor]?.held = nil
            connections[descriptor]?.writing = LeanConnection.Writing(writes: held.writes, closes: held.closes)
            flush(descriptor)
        }
    }

    /// Writes what is left of the connection's answer, one `send` per piece, until done or the
    /// socket is full (then `ppoll` waits for it); afterwards closes or starts the next request.
    private func flush(_ descriptor: Int32) {
        guard var writing = connections[descriptor]?.writing else { return }
        while writing.index < writing.writes.count {
            let piece = writing.writes[writing.index]
            let sent = piece.withUnsafeBytes { bytes in
                send(descriptor, bytes.baseAddress! + writing.offset, bytes.count - writing.offset, Int32(MSG_NOSIGNAL))
            }
            if sent < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK { break }
                return closeConnection(descriptor)
            }
            writing.offset += sent
            if writing.offset == piece.count {
                writing.index += 1
                writing.offset = 0
            }
        }
        guard writing.index == writing.writes.count else {
            connections[descriptor]?.writing = writing
            return
        }
        connections[descriptor]?.writing = nil
        if writing.closes { return closeConnection(descriptor) }
        startNextRequest(descriptor)
    }

    private func closeConnection(_ descriptor: Int32) {
        connections[descriptor] = nil
        dueTimes[descriptor] = nil
        close(descriptor)
    }

    private static func setOption(_ descriptor: Int32, _ level: Int32, _ name: Int32) {
        var on: Int32 = 1
        _ = setsockopt(descriptor, level, name, &on, socklen_t(MemoryLayout<Int32>.size))
    }
}

/// One client connection of the ``LeanModelServer``.
struct LeanConnection {
    /// An answer waiting for its latency to pass (the server keeps when it is due).
    struct Held {
        var arrival: ContinuousClock.Instant
        var timed: Bool
        var writes: [[UInt8]]
        var closes: Bool
    }

    /// An answer being written: the piece at `index`, from `offset`.
    struct Writing {
        var writes: [[UInt8]]
        var closes: Bool
        var index = 0
        var offset = 0
    }

    /// Bytes received; the first `consumed` belong to requests already read.
    var input: [UInt8] = []
    var consumed = 0
    var held: Held?
    var writing: Writing?

    var isIdle: Bool { held == nil && writing == nil }
    var isWriting: Bool { writing != nil }

    /// Drops the bytes of requests already read.
    mutating func compact() {
        guard consumed > 0 else { return }
        input.removeFirst(consumed)
        consumed = 0
    }
}

/// Writes to standard error without Foundation's `FileHandle`.
enum FileHandleOutput {
    static func standardError(_ text: String) {
        var bytes = Array(text.utf8)
        _ = write(2, &bytes, bytes.count)
    }
}
