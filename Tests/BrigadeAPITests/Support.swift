import Brigade
import BrigadeTesting
import Foundation
import Logging
import Synchronization

extension Logger {
    /// A logger that drops everything, as a host with logging turned off would pass.
    static let quiet = Logger(label: "brigade.api-tests") { _ in SwiftLogNoOpLogHandler() }
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
final class FirstOutcome<T: Sendable>: Sendable {
    private struct State {
        var value: T?
        var continuation: CheckedContinuation<T, Never>?
        var done = false
    }

    private let state = Mutex(State())

    func wait(with continuation: CheckedContinuation<T, Never>) {
        let ready: T? = state.withLock { state in
            guard let value = state.value else {
                state.continuation = continuation
                return nil
            }
            state.done = true
            return value
        }
        if let ready { continuation.resume(returning: ready) }
    }

    func deliver(_ newValue: T) {
        let waiting: CheckedContinuation<T, Never>? = state.withLock { state in
            guard !state.done, state.value == nil else { return nil }
            guard let continuation = state.continuation else {
                state.value = newValue
                return nil
            }
            state.done = true
            state.continuation = nil
            return continuation
        }
        waiting?.resume(returning: newValue)
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
final class SharedList<Element: Sendable>: Sendable {
    private let elements = Mutex<[Element]>([])

    func append(_ element: Element) {
        elements.withLock { $0.append(element) }
    }

    var all: [Element] { elements.withLock { $0 } }
}
