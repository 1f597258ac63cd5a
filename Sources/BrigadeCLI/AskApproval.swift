import Brigade
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// `brigade ask` on a terminal: a tool that needs confirmation asks on stderr and reads the answer
/// from stdin — y(es), n(o) or a(lways for this tool). The question shows the whole call, every
/// argument, paged when it does not fit (``ApprovalText``). Anything else, end of input, or the run ending
/// while the question waits (Ctrl-C, the wall-clock budget) denies.
///
/// The answer is read with the chat's cancellable input (``ChatInput/readAnswer()``): the read polls
/// standard input next to a wake pipe, so cancelling the call wakes it at once instead of leaving a
/// thread blocked in `readLine` until Enter.
struct LineApprovalPolicy: ApprovalPolicy {
    let input: ChatInput
    /// The live call display, taken off the screen while the question waits.
    let display: RunDisplay?

    /// - Throws: `WakePipeError` when the wake pipe cannot be created.
    init(display: RunDisplay?) throws(WakePipeError) {
        self.display = display
        let wakePipe = try WakePipe()
        input = ChatInput(
            input: TerminalInput(wakePipe: wakePipe), interrupts: InterruptRelay(wakePipe: wakePipe),
            lineEditing: false, historyPath: nil
        )
    }

    func decide(_ request: ApprovalRequest) async -> ApprovalDecision {
        let name = ControlCharacters.escaped(request.spec.name)
        display?.pause()
        defer { display?.resume() }
        let size = TerminalInfo.windowSize(of: STDERR_FILENO) ?? (columns: 80, rows: 24)
        Terminal.standardError.write("? \(name) needs your approval, with these arguments:\n")
        let shown = await ApprovalText.show(
            ApprovalText.lines(request.arguments, columns: size.columns), pageSize: size.rows - 3,
            write: { lines in Terminal.standardError.write(lines.map { $0 + "\n" }.joined()) },
            ask: { question in
                Terminal.standardError.write(question)
                return await input.readAnswer()
            }
        )
        guard shown else { return .deny }
        Terminal.standardError.write("  run \(name)? [y]es / [n]o / [a]lways for this tool: ")
        let answer = await input.readAnswer()
        switch answer?.trimmingWhitespace().lowercased() {
        case "y", "yes": return .approve
        case "a", "always": return .approveAlways
        default:
            if answer == nil { Terminal.standardError.write(Task.isCancelled ? "(no answer: denied)\n" : "\n") }
            return .deny
        }
    }
}
