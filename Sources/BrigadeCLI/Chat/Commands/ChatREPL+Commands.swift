import Brigade

extension ChatREPL {
    enum CommandOutcome: Equatable {
        case handled
        case exit
    }

    /// Runs one `/` command and shows its output.
    func perform(_ line: String) async -> CommandOutcome {
        let command: SlashCommand
        switch SlashCommand.parse(line) {
        case .success(let parsed): command = parsed
        case .failure(let error):
            show([style.apply(.yellow, error.description)])
            return .handled
        }
        switch command {
        case .help:
            let width = SlashCommand.catalogue.map(\.usage.count).max() ?? 0
            show(["Commands:"] + SlashCommand.catalogue.map { "  " + TerminalText.padded($0.usage, toWidth: width) + "  " + $0.summary }
                + ["Anything else is sent as a prompt. Ctrl-C cancels a running prompt."])
        case .tools:
            show(toolLines())
        case .routes:
            show(state.withLock { $0.backend.routeLines })
        case .mode(nil):
            show(["mode: \(state.withLock { $0.backend.mode.rawValue })"])
        case .mode(let mode?):
            switchBackend("mode: \(mode.rawValue)") { try $0.switching(mode: mode) }
        case .model(nil):
            show(["model: \(state.withLock { $0.backend.modelName } ?? "none")"])
        case .model(let name?):
            switchBackend("model: \(name)") { try $0.switching(model: name) }
        case .budget:
            let (limits, snapshot, totals) = state.withLock { ($0.backend.limits, $0.lastSnapshot, $0.totals) }
            var lines = BudgetReport(limits: limits, snapshot: snapshot, style: style).table(session: totals)
            if let sessionBudget { lines.append(BudgetReport.sessionLine(sessionBudget.snapshot())) }
            show(lines)
        case .reset:
            state.withLock { state in
                state.session = state.backend.workspace.makeSession()
                state.lastResult = nil
                state.lastTrace = nil
                state.runs = []
            }
            show(["Conversation forgotten. The next prompt starts a new conversation (the old one stays in the run store)."])
        case .sessions:
            show(sessionLines())
        case .load(let id):
            load(id)
        case .trace(let html):
            guard let last = state.withLock({ $0.lastTrace }) else {
                show(["No prompt has run yet."])
                return .handled
            }
            let trace = TraceBuilder.build(run: last.run, events: last.events)
            guard let html else {
                show(TraceTimeline(trace: trace, width: display.columns, colour: style.colors).lines)
                return .handled
            }
            let absolute = resolve(html)
            do {
                try FileIO.write(TracePage(trace: trace).html, to: absolute)
                show(["Wrote the last prompt's trace to \(absolute)."])
            } catch {
                show([style.apply(.yellow, "Cannot write the trace: \(error)")])
            }
        case .save(let path):
            save(to: path)
        case .exit:
            return .exit
        }
        return .handled
    }

    private func show(_ lines: [String]) {
        display.writeLines(lines)
    }

    private func switchBackend(_ description: String, _ change: (ChatBackend) throws -> ChatBackend) {
        do {
            try state.withLock { state in state.backend = try change(state.backend) }
            show([description])
        } catch {
            show([style.apply(.yellow, "Cannot switch: \(error)")])
        }
    }

    private func toolLines() -> [String] {
        let tools = state.withLock { $0.backend.agent.registry.tools }
        guard !tools.isEmpty else { return ["No tools are configured."] }
        let width = min(24, tools.map { TerminalText.width(of: $0.name) }.max() ?? 0)
        let room = max(20, display.columns - width - 6)
        return tools.map { tool in
            let description = tool.spec.description.split(separator: "\n").first.map(String.init) ?? ""
            var flags: [String] = []
            if tool.spec.policy.confirm { flags.append("asks first") }
            if let timeout = tool.spec.policy.timeout { flags.append("timeout \(Formatting.seconds(timeout))") }
            let suffix = flags.isEmpty ? "" : " (" + flags.joined(separator: ", ") + ")"
            let text = TerminalText.truncated(ControlCharacters.escaped(description, lineBreaks: .spaces) + suffix, toWidth: room)
            return "  " + style.apply(.bold, TerminalText.padded(tool.name, toWidth: width)) + "  " + text
        }
    }

    /// `path` with `~/` expanded, relative to the chat's directory.
    private func resolve(_ path: String) -> String {
        let expanded = path.hasPrefix("~/") ? (options.environment["HOME"] ?? "") + path.dropFirst(1) : path
        return expanded.hasPrefix("/") ? expanded : options.currentDirectory + "/" + expanded
    }

    private func save(to path: String) {
        let absolute = resolve(path)
        let (runs, model, mode, session) = state.withLock { ($0.runs, $0.backend.modelName, $0.backend.mode, $0.session) }
        let json = ChatTranscript.json(messages: session.messages, runs: runs, model: model, mode: mode)
        do {
            try FileIO.write(json.prettyJSONString + "\n", to: absolute)
            show(["Saved \(session.messages.count) messages to \(absolute)."])
        } catch {
            show([style.apply(.yellow, "Cannot save: \(error)")])
        }
    }
}
