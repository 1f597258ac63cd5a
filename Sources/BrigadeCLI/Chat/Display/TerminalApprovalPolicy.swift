import Brigade

/// Asks at the terminal before a `confirm: true` tool runs: yes, no, or always for this tool. The
/// question shows the whole call, every argument, paged when it does not fit (``ApprovalText``).
///
/// The live display is paused while asking (its block cleared, its timer stopped) and echo is turned
/// back on for the answer. When the turn is cancelled (Ctrl-C) while the question waits, the read is
/// woken and the call is denied. Without an interactive terminal nobody can answer: calls are denied,
/// and a line says so.
struct TerminalApprovalPolicy: ApprovalPolicy {
    let display: RunDisplay
    let input: ChatInput
    let modes: TerminalModes
    let interactive: Bool

    func decide(_ request: ApprovalRequest) async -> ApprovalDecision {
        let name = ControlCharacters.escaped(request.spec.name)
        guard interactive else {
            display.writeLines(["[approval] \(name) denied: confirm-tools need an interactive terminal"])
            return .deny
        }
        display.pause()
        modes.restore()
        defer {
            modes.echoOff()
            display.resume()
        }
        let style = display.style
        display.writeLines(["Allow " + style.apply(.bold, name) + " with these arguments:"])
        let shown = await ApprovalText.show(
            ApprovalText.lines(request.arguments, columns: display.columns), pageSize: display.rows - 3,
            write: { display.writeLines($0) },
            ask: { question in
                display.writeQuestion(question)
                return await input.readAnswer()
            }
        )
        guard shown else {
            display.writeLines(["(denied)"])
            return .deny
        }
        var question = "Allow " + style.apply(.bold, name) + "? [y]es / [n]o / [a]lways for this tool: "
        while true {
            display.writeQuestion(question)
            guard let answer = await input.readAnswer() else {
                display.writeLines(["(no answer: denied)"])
                return .deny
            }
            switch answer.lowercased().filter({ !$0.isWhitespace }) {
            case "y", "yes": return .approve
            case "n", "no", "": return .deny
            case "a", "always": return .approveAlways
            default: question = "Please answer y, n or a: "
            }
        }
    }
}
