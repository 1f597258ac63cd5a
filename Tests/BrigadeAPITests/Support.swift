import Brigade
import BrigadeTesting
import Foundation
import Logging

extension Logger {
    /// A logger that drops everything, as a host with logging turned off would pass.
    static let quiet = Logger(label: "brigade.api-tests") { _ in SwiftLogNoOpLogHandler() }
}

/// A fresh folder under the temporary directory, removed when the value goes away.
final class ScratchFolder: Sendable {
    let path: String

    init() throws {
        let path = NSTemporaryDirectory() + "brigade-api-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        self.path = path
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Writes `text` to `name` (folders created as needed) and returns the absolute path.
    @discardableResult
    func write(_ name: String, _ text: String, executable: Bool = false) throws -> String {
        let file = path + "/" + name
        try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        if executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file) }
        return file
    }

    /// Creates a named pipe and returns its path.
    func makeFIFO(_ name: String) throws -> String {
        let file = path + "/" + name
        guard mkfifo(file, 0o600) == 0 else { throw CocoaError(.fileWriteUnknown) }
        return file
    }
}

/// Blocking file work (opening and reading named pipes) on a thread of its own, so that it never
/// holds one of the few threads of Swift's cooperative pool. When the task is cancelled first, it
/// returns `cancelled` at once and leaves the thread to finish (or stay blocked) on its own — that
/// only happens in a failing test, which must end instead of hanging.
func onOwnThread<T: Sendable>(cancelled: T, _ body: @escaping @Sendable () -> T) async -> T {
    let outcome = FirstOutcome<T>()
    return await withTaskCancellationHandler {
        await withCheckedContinuation { continuation in
            outcome.wait(with: continuation)
            Thread { outcome.deliver(body()) }.start()
        }
    } onCancel: {
        outcome.deliver(cancelled)
    }
}

/// Resumes a continuation with the first value delivered, whether it comes before or after the wait.
final class FirstOutcome<T: Sendable>: @unchecked Sendable {  // every access holds `lock`
    private let lock = NSLock()
    private var value: T?
    private var continuation: CheckedContinuation<T, Never>?
    private var done = false

    func wait(with continuation: CheckedContinuation<T, Never>) {
        lock.lock()
        if let value {
            done = true
            lock.unlock()
            continuation.resume(returning: value)
            return
        }
        self.continuation = continuation
        lock.unlock()
    }

    func deliver(_ newValue: T) {
        lock.lock()
        guard !done, value == nil else { return lock.unlock() }
        guard let continuation else {
            value = newValue
            return lock.unlock()
        }
        done = true
        self.continuation = nil
        lock.unlock()
        continuation.resume(returning: newValue)
    }
}

/// Opens `fifo` for reading (waiting for a writer) and reads its first line.
func readLine(fromFIFO fifo: String) async -> String? {
    await onOwnThread(cancelled: nil) {
        guard let handle = FileHandle(forReadingAtPath: fifo) else { return nil }
        defer { try? handle.close() }
        var bytes: [UInt8] = []
        while let chunk = try? handle.read(upToCount: 1), let byte = chunk.first, byte != UInt8(ascii: "\n") {
            bytes.append(byte)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Opens `fifo` for writing (waiting for a reader) and writes `line` and a newline.
func writeLine(_ line: String, toFIFO fifo: String) async -> Bool {
    await onOwnThread(cancelled: false) {
        guard let handle = FileHandle(forWritingAtPath: fifo) else { return false }
        defer { try? handle.close() }
        return (try? handle.write(contentsOf: Data((line + "\n").utf8))) != nil
    }
}

func call(_ name: String, _ arguments: String = "{}", id: String) -> ToolCall {
    ToolCall(id: id, name: name, rawArguments: arguments)
}

extension ModelRequest {
    /// The tool results of the last message, by call id.
    var lastResults: [String: ToolResultMessage] {
        guard case .toolResults(let results)? = messages.last else { return [:] }
        return Dictionary(results.map { ($0.callID, $0) }, uniquingKeysWith: { first, _ in first })
    }
}

/// A list several tasks append to.
final class SharedList<Element: Sendable>: @unchecked Sendable {  // every access holds `lock`
    private let lock = NSLock()
    private var elements: [Element] = []

    func append(_ element: Element) {
        lock.lock()
        defer { lock.unlock() }
        elements.append(element)
    }

    var all: [Element] {
        lock.lock()
        defer { lock.unlock() }
        return elements
    }
}
