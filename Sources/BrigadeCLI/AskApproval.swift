import Brigade
import Foundation

/// `brigade ask` on a terminal: a tool that needs confirmation asks on stderr and reads the answer
/// from stdin — y(es), n(o) or a(lways for this tool). Anything else, end of input, or the run ending
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
        let arguments = request.arguments.jsonString
        let shown = arguments.count > 200 ? String(arguments.prefix(197)) + "..." : arguments
        let name = TerminalText.sanitized(request.spec.name, keepNewlines: false)
        display?.pause()
        defer { display?.resume() }
        Terminal.standardError.write("? \(name)(\(TerminalText.sanitized(shown, keepNewlines: false))) needs your approval — run it? [y]es / [n]o / [a]lways for this tool: ")
        let answer = await input.readAnswer()
        switch answer?.trimmingCharacters(in: .whitespaces).lowercased() {
        case "y", "yes": return .approve
        case "a", "always": return .approveAlways
        default:
            if answer == nil { Terminal.standardError.write(Task.isCancelled ? "(no answer: denied)\n" : "\n") }
            return .deny
        }
    }
}
