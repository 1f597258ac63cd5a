import Brigade
import BrigadeTesting
import Foundation
import Synchronization

/// The benchmarks' model server: a ``LeanModelServer`` (or, on request, a ``FakeModelServer``)
/// answering with ``BenchScenario``, run in a child process so that its CPU time and memory are not
/// counted as Brigade's.
///
/// The child is the benchmark executable itself, started again with
/// `BRIGADE_BENCH_MODEL_SERVER=1`: every benchmark target calls ``serveIfRequested()`` first thing
/// in its `benchmarks` closure, which in the child serves until its standard input closes (when the
/// parent stops it, or dies) and exits, never returning to the benchmark runner. A `timings` line
/// on its standard input asks for ``ModelServerTimings`` of the requests answered since the last ask.
public actor ModelServerProcess {
    public static let shared = ModelServerProcess()
    static let environmentKey = "BRIGADE_BENCH_MODEL_SERVER"

    private var process: Process?
    private var input: Pipe?
    private var output: Pipe?
    private var port: UInt16?

    /// Starts the child unless it runs already.
    /// - Returns: the OpenAI base URL, `http://127.0.0.1:<port>/v1`.
    /// - Throws: when the child cannot start or does not print its port.
    @discardableResult
    public func start() throws -> String {
        if let port { return Self.baseURL(port) }
        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        var environment = ProcessInfo.processInfo.environment
        environment[Self.environmentKey] = "1"
        environment["LD_PRELOAD"] = nil  // the benchmark tool's malloc interposer is for the parent only
        process.environment = environment
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        // One line: the port. Blocking here is fine: this runs in a benchmark's setup, not measured.
        let line = Self.readLine(output)
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let port = UInt16(text) else {
            process.terminate()
            process.waitUntilExit()
            throw ModelServerProcessError(message: "the model server child printed \(text.debugDescription) instead of its port")
        }
        self.process = process
        self.input = input
        self.output = output
        self.port = port
        return Self.baseURL(port)
    }

    /// Stops the child: closes its standard input and waits for it to exit.
    public func stop() {
        guard let process else { return }
        try? input?.fileHandleForWriting.close()
        process.waitUntilExit()
        self.process = nil
        self.input = nil
        self.output = nil
        self.port = nil
    }

    /// How the child held the requests it answered since the last call (and forgets them): the
    /// proof that every model call really waited its scenario's latency.
    /// - Throws: when the child is not running or does not answer.
    public func timings() throws -> ModelServerTimings {
        guard let input, let output else { throw ModelServerProcessError(message: "the model server child is not running") }
        input.fileHandleForWriting.write(Data("timings\n".utf8))
        let line = Self.readLine(output)
        guard let json = try? JSONValue(parsing: String(decoding: line, as: UTF8.self)), let timings = ModelServerTimings(json: json) else {
            throw ModelServerProcessError(message: "the model server child answered \(String(decoding: line, as: UTF8.self).debugDescription) to `timings`")
        }
        return timings
    }

    /// User + system CPU time the child has used so far, in microseconds (from `/proc/PID/stat`,
    /// so in clock ticks: 10 ms steps), or `nil` when it is not running.
    public func cpuMicroseconds() -> Int? {
        guard let process, process.isRunning,
            let stat = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8),
            let end = stat.lastIndex(of: ")")
        else { return nil }
        // After "pid (comm)": state is field 3, utime field 14, stime field 15.
        let fields = stat[stat.index(after: end)...].split(separator: " ")
        guard fields.count > 12, let user = Int(fields[11]), let system = Int(fields[12]) else { return nil }
        let ticksPerSecond = max(1, sysconf(Int32(_SC_CLK_TCK)))
        return (user + system) * 1_000_000 / ticksPerSecond
    }

    /// Reads up to the end of the child's next line (it writes nothing between the lines asked for).
    private static func readLine(_ output: Pipe) -> [UInt8] {
        var line: [UInt8] = []
        while !line.contains(0x0A) {
            let data = output.fileHandleForReading.availableData
            if data.isEmpty { break }
            line += data
        }
        return line
    }

    static func baseURL(_ port: UInt16) -> String { "http://127.0.0.1:\(port)/v1" }

    /// In the child (`BRIGADE_BENCH_MODEL_SERVER=1`): serves until standard input closes, then exits
    /// the process. Elsewhere: returns at once.
    ///
    /// The child serves with the ``LeanModelServer``, unless `BRIGADE_BENCH_MODEL_SERVER_KIND=flyingfox`
    /// (inherited from the parent's environment) asks for BrigadeTesting's ``FakeModelServer`` — the
    /// same bytes at several times the CPU, kept to compare the two rigs.
    public nonisolated static func serveIfRequested() {
        guard ProcessInfo.processInfo.environment[environmentKey] == "1" else { return }
        if ProcessInfo.processInfo.environment[kindKey] == "flyingfox" { serveFlyingFox() }
        let server: LeanModelServer
        do {
            server = try LeanModelServer(respond: BenchScenario.respond(to:))
        } catch {
            FileHandle.standardError.write(Data("bench model server: \(error)\n".utf8))
            exit(70)
        }
        FileHandle.standardOutput.write(Data("\(server.port)\n".utf8))
        server.serve(commands: 0) { command in
            guard command == "timings" else { return }
            let timings = ModelServerTimings(server.timings)
            server.clearTimings()
            FileHandle.standardOutput.write(Data((timings.json.jsonString + "\n").utf8))
        }
        exit(0)
    }

    static let kindKey = "BRIGADE_BENCH_MODEL_SERVER_KIND"

    /// ``serveIfRequested()`` with a ``FakeModelServer``.
    private nonisolated static func serveFlyingFox() -> Never {
        // The benchmark runner's registration hook is synchronous: the server starts in a task of
        // its own, hands itself to this thread (which keeps it alive), and this thread then blocks
        // reading standard input.
        let started = DispatchSemaphore(value: 0)
        let holder = ServerHolder()
        Task {
            do {
                let server = try await FakeModelServer.start(recordsRequests: false)
                server.respond(with: BenchScenario.respond(to:))
                holder.server.withLock { $0 = server }
                FileHandle.standardOutput.write(Data("\(server.port)\n".utf8))
            } catch {
                FileHandle.standardError.write(Data("bench model server: \(error)\n".utf8))
                exit(70)
            }
            started.signal()
        }
        started.wait()
        let server = holder.server.withLock { $0 }
        var buffer = [UInt8](repeating: 0, count: 256)
        var pending: [UInt8] = []
        while true {
            let count = read(0, &buffer, buffer.count)
            guard count > 0 else { break }
            pending += buffer[0..<count]
            while let end = pending.firstIndex(of: 0x0A) {
                let command = String(decoding: pending[..<end], as: UTF8.self)
                pending.removeSubrange(...end)
                guard command == "timings", let server else { continue }
                let timings = ModelServerTimings(server.timings)
                server.clearTimings()
                FileHandle.standardOutput.write(Data((timings.json.jsonString + "\n").utf8))
            }
        }
        withExtendedLifetime(server) { exit(0) }
    }
}

/// The model server child did not start.
public struct ModelServerProcessError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// Carries the started server from its task to the thread that keeps it.
final class ServerHolder: Sendable {
    let server = Mutex<FakeModelServer?>(nil)
}
