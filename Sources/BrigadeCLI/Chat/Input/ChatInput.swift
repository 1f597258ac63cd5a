import BrigadeSync
import Brigade
import Dispatch

/// The REPL's input: prompts (line-edited on a terminal, plain lines otherwise) and approval answers.
///
/// Reading blocks, so it happens on a serial dispatch queue of its own, never on a thread of Swift's
/// cooperative pool; callers `await` the result.
final class ChatInput: Sendable {
    private let queue = DispatchQueue(label: "brigade.chat.input")
    private let input: TerminalInput
    private let editor: LineEditor?
    private let interrupts: InterruptRelay

    /// - Parameters:
    ///   - input: standard input with the wake pipe.
    ///   - interrupts: tells a Ctrl-C from other wake-ups.
    ///   - lineEditing: use libedit (standard input and output are a terminal).
    ///   - historyPath: where libedit keeps the history.
    init(input: TerminalInput, interrupts: InterruptRelay, lineEditing: Bool, historyPath: String?) {
        self.input = input
        self.interrupts = interrupts
        editor = lineEditing ? LineEditor(input: input, interrupts: interrupts, historyPath: historyPath) : nil
    }

    /// Whether lines are edited with libedit (false: plain lines, e.g. from a pipe).
    var isLineEditing: Bool { editor != nil }

    /// Reads the next prompt line.
    func readLine(prompt: String) async -> LineInput {
        await withCheckedContinuation { continuation in
            queue.async { [self] in
                continuation.resume(returning: readLineNow(prompt: prompt))
            }
        }
    }

    /// Adds a line to the history (line editing only).
    func remember(_ line: String) {
        queue.async { [editor] in editor?.remember(line) }
    }

    private func readLineNow(prompt: String) -> LineInput {
        if let editor { return editor.readLine(prompt: prompt) }
        if interrupts.terminationSignal != nil { return .endOfFile }
        while true {
            switch input.readLine() {
            case .line(let line): return .line(line)
            case .endOfFile: return .endOfFile
            case .woken(let reasons):
                if interrupts.terminationSignal != nil { return .endOfFile }
                if reasons.contains(.interrupt), interrupts.takePending() { return .interrupted(lineWasEmpty: true) }
            }
        }
    }

    /// Reads one answer line (cooked mode, echoed), e.g. for an approval question.
    ///
    /// - Returns: the line, or `nil` at end of input or when the calling task is cancelled (then it
    ///   returns promptly: the read is woken through the wake pipe).
    func readAnswer() async -> String? {
        let cancelled = LockedState(false)
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                queue.async { [input, interrupts] in
                    while true {
                        if cancelled.withLock({ $0 }) || interrupts.terminationSignal != nil { return continuation.resume(returning: nil) }
                        switch input.readLine() {
                        case .line(let line): return continuation.resume(returning: line)
                        case .endOfFile: return continuation.resume(returning: nil)
                        case .woken: continue
                        }
                    }
                }
            }
        } onCancel: {
            cancelled.withLock { $0 = true }
            input.wakePipe.wake(.cancel)
        }
    }
}
