import Testing

/// `brigade chat` offline: no model, a static route serves the prompt with a fixed fan-out.
@Suite("Chat in static mode", .timeLimit(.minutes(2)))
struct ChatStaticTests {
    @Test func aRouteAnswersOfflineWithLiveCalls() async throws {
        let workspace = try ChatTestWorkspace(config: "routing: static\n")
        try workspace.installTools()
        try workspace.make("routes")
        try workspace.make("prompts")
        try workspace.write("routes/naps.yaml", """
            name: naps
            description: Two naps at once.
            match:
              keywords: ["nap|naps"]
              vocabulary: [take]
              examples: [take some naps]
            calls:
              - label: short
                tool: nap
                arguments: {seconds: 0.2}
              - label: long
                tool: nap
                arguments: {seconds: 0.3}
            join: naps.mustache
            """)
        try workspace.write("prompts/naps.mustache", "Short: {{calls.short.output}} Long: {{calls.long.output}}\n")
        let chat = try workspace.startChat(environment: ["NO_COLOR": "1"])
        try await chat.waitFor("mode static")
        try await chat.waitFor("> ")
        chat.sendLine("/routes")
        try await chat.waitFor("naps: Two naps at once.")
        try await chat.waitFor("calls: short=nap, long=nap")
        try await chat.waitFor("> ")

        chat.sendLine("take some naps")
        try await chat.waitFor("route naps")
        try await chat.waitForSpinner("nap seconds=0.2")
        let settled = try await chat.waitFor("2 calls in ")
        #expect(settled.contains("✓ nap seconds=0.2"))
        #expect(settled.contains("✓ nap seconds=0.3"))
        try await chat.waitFor("Short: rested 0.2 s")
        try await chat.waitFor("tokens 0 in + 0 out · $0.0000")
        try await chat.waitFor("> ")
        chat.sendLine("/trace")
        try await chat.waitFor("0 model calls, 2 tool calls · sequential ")
        // The route's fan-out with its two calls under it.
        let trace = try await chat.waitFor("> ")
        #expect(trace.contains("●  route naps") && trace.contains("nap (route_0_short)") && trace.contains("nap (route_1_long)"))
        chat.sendControlD()
        #expect(try await chat.waitForExit() == 0)
    }

    /// A route's join rules decide between its calls, and chat shows how, under the calls.
    @Test func aRouteJoinShowsItsDecisionUnderTheCalls() async throws {
        let workspace = try ChatTestWorkspace(config: "routing: static\n")
        try workspace.installTools()
        try workspace.make("routes")
        try workspace.make("prompts")
        try workspace.write("routes/naps.yaml", """
            name: naps
            description: Two naps, one answer.
            match:
              keywords: ["nap|naps"]
              vocabulary: [take]
            calls:
              - {label: short, tool: nap, arguments: {seconds: 0.1}}
              - {label: long, tool: nap, arguments: {seconds: 0.2}}
            join: {precedence: {answer: [long, short]}}
            """)
        let chat = try workspace.startChat(environment: ["NO_COLOR": "1"])
        try await chat.waitFor("> ")
        chat.sendLine("take some naps")
        let shown = try await chat.waitFor(#"↳ route_join: join: long won — first by precedence; conflicts: answer: short "rested 0.1 s", long "rested 0.2 s" → long"#)
        #expect(shown.contains("✓ nap seconds=0.1") && shown.contains("✓ nap seconds=0.2"))
        try await chat.waitFor("> ")
        chat.sendControlD()
        #expect(try await chat.waitForExit() == 0)
    }
}
