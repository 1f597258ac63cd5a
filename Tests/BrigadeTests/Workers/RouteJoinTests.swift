import BrigadeTesting
import CurlHTTP
import Foundation
import Logging
import Synchronization
import Testing
import Brigade
@testable import BrigadeCore
@testable import BrigadeWorkspace

/// Join rules, judges and variants on static routes, loaded from YAML and run through the agent;
/// the fake model server is the judge and the variants' model.
@Suite("Route joins: rules, judge, variants", .timeLimit(.minutes(2)))
struct RouteJoinTests {
    static let airline = #"{"flight": "FR1234", "arrival": "10:40", "gate": "B12"}"#
    static let airport = #"{"flight": "FR1234", "arrival": "10:55", "terminal": "2"}"#

    static func tool(_ name: String, output: String) -> Tool {
        Tool(name: name, description: name) { _, _ in ToolOutput(text: output) }
    }

    /// The routes of `yaml`, loaded as `brigade` loads routes/, with `prompts` as the prompts folder.
    static func routes(_ yaml: String, registry: ToolRegistry, prompts: [String: String]) throws -> RouteSet {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("route-join-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (name, text) in prompts { try text.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8) }
        let specs = Dictionary(uniqueKeysWithValues: registry.specs.map { ($0.name, $0) })
        return try RouteLoader.parse(yaml, file: "/r/routes/flight.yaml", tools: specs, promptsDirectory: dir)
    }

    static func agent(_ registry: ToolRegistry, routes: RouteSet, model: (any ModelClient)?, routing: RoutingMode, limits: Budget.Limits = Budget.Limits()) -> Agent {
        Agent(
            registry: registry,
            configuration: Agent.Configuration(model: model, limits: limits, routes: routes, routing: routing),
            logger: Logger(label: "test"))
    }

    static let flightRoute = """
        name: flight
        match:
          keywords: ["land|arrive|arrival", "flight|plane"]
          vocabulary: [when, does, my]
          examples: [when does my flight land]
        calls:
          - {label: airline, tool: airline_status}
          - {label: airport, tool: airport_board}
        join:
          branches: [airline, airport]
          precedence: {arrival: [airport, airline]}
          compare: [arrival]
          judge: judge.md
        """

    static var flightTools: ToolRegistry {
        get throws { try ToolRegistry([tool("airline_status", output: airline), tool("airport_board", output: airport)]) }
    }

    static func decisions(_ recorder: EventRecorder) -> [JoinDecisionEvent] {
        recorder.events.compactMap { if case .joinDecided(let decision) = $0 { decision } else { nil } }
    }

    /// No model: the judge cannot be asked, so precedence decides — and the answer names the conflict.
    @Test func twoToolsDisagreeingArePrecedenceMergedAndTheAnswerNamesTheConflict() async throws {
        let registry = try Self.flightTools
        let routes = try Self.routes(Self.flightRoute, registry: registry, prompts: ["judge.md": "You judge."])
        let recorder = EventRecorder()
        let result = await Self.agent(registry, routes: routes, model: nil, routing: .static).run("when does my flight land?", onEvent: recorder.record)

        let answer = try #require(result.answer.split(separator: "\n").first.map(String.init))
        let merged = try JSONValue(parsing: answer)
        #expect(merged["arrival"]?.stringValue == "10:55")
        #expect(merged["gate"]?.stringValue == "B12" && merged["terminal"]?.stringValue == "2")
        #expect(result.answer.hasSuffix(
            #"[join: the judge failed (there is no model to ask), so the rules decided: fields merged by precedence (flight ← airline, arrival ← airport, gate ← airline, terminal ← airport); conflicts: arrival: airline "10:40", airport "10:55" → airport]"#))
        #expect(result.stopReason == .finished)

        let decision = try #require(Self.decisions(recorder).first)
        #expect(decision.callID == "route_join" && decision.branches == ["airline", "airport"])
        #expect(decision.outcome.judged == false && decision.outcome.judgeFailure == "there is no model to ask")
        #expect(decision.outcome.conflicts == [JoinConflict(
            field: "arrival", values: [.init(branch: "airline", value: #""10:40""#), .init(branch: "airport", value: #""10:55""#)], chosen: "airport")])
        let line = AgentEvent.joinDecided(decision).json
        #expect(line["type"]?.stringValue == "join_decided" && line["call_id"]?.stringValue == "route_join")
        #expect(line["conflicts"]?.arrayValue?.first?["field"]?.stringValue == "arrival")
        #expect(line["conflicts"]?.arrayValue?.first?["chosen"]?.stringValue == "airport")
        #expect(line["judge_failure"]?.stringValue == "there is no model to ask")
    }

    /// Two hotel searches list overlapping hotels: one item per `name`, the same hotel at two prices
    /// is a conflict the template can show.
    @Test func listsFromSeveralToolsMergeByTheirDedupKey() async throws {
        let registry = try ToolRegistry([
            Self.tool("hotels_a", output: #"[{"name": "Roma", "price": 120}, {"name": "Termini", "price": 95}]"#),
            Self.tool("hotels_b", output: #"[{"name": "Termini", "price": 99}, {"name": "Colosseo", "price": 140}, {"name": "Roma", "price": 120}]"#),
        ])
        let routes = try Self.routes("""
            name: hotels
            match:
              keywords: ["hotel|hotels"]
            calls:
              - {label: a, tool: hotels_a}
              - {label: b, tool: hotels_b}
            join:
              template: hotels.mustache
              dedup: [name]
            """, registry: registry, prompts: [
                "hotels.mustache": "{{join.answer}}\n{{#join.conflict}}Sources differ: {{#join.conflicts}}{{text}}{{/join.conflicts}}{{/join.conflict}}",
            ])
        let result = await Self.agent(registry, routes: routes, model: nil, routing: .static).run("hotels in Rome")
        let lines = result.answer.split(separator: "\n").map(String.init)
        let items = try #require(try JSONValue(parsing: lines[0]).arrayValue)
        #expect(items.compactMap { $0["name"]?.stringValue } == ["Roma", "Termini", "Colosseo"])
        #expect(items[1]["price"]?.intValue == 95)
        #expect(lines[1] == #"Sources differ: items[name="Termini"]: a {"name":"Termini","price":95}, b {"name":"Termini","price":99} → a"#)
    }

    /// With a model, the judge (a child run of the route's run) reconciles the calls and says why; its
    /// request carries every branch, its events nest under `route_join`, its spend rolls up.
    @Test func aJudgeReconcilesTheCallsAndSaysWhy() async throws {
        try await withFakeModelServer { server in
            server.respond { request in
                guard request.systemText == "You judge." else { return .text("the model should not be asked") }
                return FakeTurn.text(
                    #"{"winner": "airport", "reason": "the airport board is updated live", "answer": "FR1234 lands at 10:55, terminal 2, gate B12."}"#,
                    usage: TokenUsage(inputTokens: 300, outputTokens: 40))
            }
            let http = HTTPClient()
            let registry = try Self.flightTools
            let routes = try Self.routes(Self.flightRoute, registry: registry, prompts: ["judge.md": "You judge."])
            let recorder = EventRecorder()
            let agent = Self.agent(registry, routes: routes, model: WorkerTestSupport.client(server, http), routing: .hybrid)
            let result = await agent.run("when does my flight land", onEvent: recorder.record)

            #expect(result.answer == "FR1234 lands at 10:55, terminal 2, gate B12.\n\n[join: airport won (judge) — the airport board is updated live]")
            let judged = try #require(server.requests.first)
            #expect(server.requests.count == 1)
            #expect(judged.lastUserText?.contains("### airline\n\(Self.airline)") == true && judged.lastUserText?.contains("### airport\n\(Self.airport)") == true)
            #expect(judged.lastUserText?.hasPrefix("Request: when does my flight land") == true)
            let decision = try #require(Self.decisions(recorder).first)
            #expect(decision.outcome.judged && decision.outcome.winner == "airport")
            #expect(decision.outcome.conflicts.map(\.field) == ["arrival"])
            let children = recorder.events.compactMap(\.childRunEvent)
            #expect(!children.isEmpty && children.allSatisfy { $0.parentCallID == "route_join" && $0.depth == 1 })
            // It asked for what it needs — two turns and one call's room — not all the 126 calls the run has left.
            let judgeBudgets = children.compactMap { if case .budgetUpdate(let snapshot) = $0.event.event { snapshot } else { nil } }
            #expect(!judgeBudgets.isEmpty && judgeBudgets.allSatisfy { $0.toolCallsLeft == 1 && ($0.turns + ($0.turnsLeft ?? 0)) == 2 })
            #expect(result.usage.inputTokens == 300 && result.usage.outputTokens == 40)
            await http.shutdown()
        }
    }

    /// The run's model, given in its options (the agent has none): the judge asks it.
    @Test func theJudgeAsksTheRunsModel() async throws {
        try await withFakeModelServer { server in
            server.respond { _ in .text(#"{"winner": "airline", "reason": "the airline knows its plane"}"#) }
            let http = HTTPClient()
            let registry = try Self.flightTools
            let routes = try Self.routes(Self.flightRoute, registry: registry, prompts: ["judge.md": "You judge."])
            var options = RunOptions(routing: .hybrid)
            options.model = WorkerTestSupport.client(server, http)
            let result = try await Self.agent(registry, routes: routes, model: nil, routing: .hybrid).run("when does my flight land", options: options)
            #expect(server.requests.count == 1 && server.requests.first?.systemText == "You judge.")
            #expect(result.answer == "\(Self.airline)\n\n[join: airline won (judge) — the airline knows its plane]")
            await http.shutdown()
        }
    }

    /// The run's budget has no room for the judge: the rules decide, and the answer says so and names
    /// the conflict. Nothing reaches the model.
    @Test func aJudgeOverBudgetFallsBackToPrecedenceNamingTheConflict() async throws {
        try await withFakeModelServer { server in
            server.respond { _ in .text("should not be asked") }
            let http = HTTPClient()
            let registry = try Self.flightTools
            let routes = try Self.routes(Self.flightRoute, registry: registry, prompts: ["judge.md": "You judge."])
            let agent = Self.agent(registry, routes: routes, model: WorkerTestSupport.client(server, http), routing: .hybrid, limits: Budget.Limits(inputTokens: 5))
            let result = await agent.run("when does my flight land")
            #expect(server.requests.isEmpty)
            #expect(result.answer.contains("[join: the judge failed (the budget has no room for it (budget_tokens)), so the rules decided: fields merged by precedence"))
            #expect(result.answer.hasSuffix(#"; conflicts: arrival: airline "10:40", airport "10:55" → airport]"#))
            await http.shutdown()
        }
    }

    /// `join: model` with join rules: the synthesis call reads the reconciled result and its note
    /// beside the calls' results.
    @Test func aModelJoinReadsTheReconciledResult() async throws {
        try await withFakeModelServer { server in
            server.respond { _ in .text("FR1234 lands at 10:55.") }
            let http = HTTPClient()
            let registry = try Self.flightTools
            let routes = try Self.routes(
                Self.flightRoute.replacingOccurrences(of: "  judge: judge.md", with: "  template: model"), registry: registry, prompts: [:])
            let agent = Self.agent(registry, routes: routes, model: WorkerTestSupport.client(server, http), routing: .hybrid)
            let result = await agent.run("when does my flight land")
            #expect(result.answer == "FR1234 lands at 10:55.")
            let synthesis = try #require(server.requests.first)
            #expect(server.requests.count == 1)
            #expect(synthesis.lastUserText?.contains(
                #"Reconciled (airline, airport):\#n{"flight":"FR1234","arrival":"10:55","gate":"B12","terminal":"2"}\#n\#n[join: fields merged by precedence"#) == true)
            #expect(synthesis.lastUserText?.hasSuffix(#"conflicts: arrival: airline "10:40", airport "10:55" → airport]"#) == true)
            await http.shutdown()
        }
    }

    static let writer = """
        name: subject_writer
        description: Writes one subject line.
        kind: agent
        agent:
          prompt: writer.md
        """

    /// `variants: 3` on a route's call: three sub-agent runs at once (held at the server until all
    /// three are there; their calls' start and end times overlap), then the judge picks one and the
    /// template shows the winner, the reason and every variant.
    @Test func variantsRunConcurrentlyAndTheJudgePicksOne() async throws {
        try await withFakeModelServer { server in
            let drafts = Mutex(0)
            server.respond { request in
                switch request.systemText {
                case "You write subject lines.":
                    let n = drafts.withLock { count -> Int in count += 1; return count }
                    return FakeTurn.text(["Your invoice is ready", "Invoice #42 inside", "Pay invoice 42 by Friday"][n - 1]).gathering(3)
                case "You pick.":
                    let winner = JoinTests.label(before: "Pay invoice 42 by Friday", in: request.lastUserText ?? "") ?? "none"
                    return .text(#"{"winner": "\#(winner)", "reason": "it names the deadline"}"#)
                default:
                    return .text("the model should not be asked")
                }
            }
            let http = HTTPClient()
            let registry = try WorkerTestSupport.registry(Self.writer, prompts: ["writer.md": "You write subject lines."])
            let routes = try Self.routes("""
                name: subject
                match:
                  keywords: ["subject"]
                  vocabulary: [line]
                calls:
                  - label: subject
                    tool: subject_writer
                    arguments: {task: "a subject line for invoice 42, due Friday"}
                    variants: 3
                    join: {judge: pick.md}
                join: subject.mustache
                """, registry: registry, prompts: [
                    "pick.md": "You pick.",
                    "subject.mustache": "{{calls.subject.output}}\n{{calls.subject.winner}}: {{calls.subject.reason}}\n{{#calls.subject.variants}}{{label}}={{output}};{{/calls.subject.variants}}",
                ])
            let recorder = EventRecorder()
            let agent = Self.agent(registry, routes: routes, model: WorkerTestSupport.client(server, http), routing: .hybrid)
            let result = await agent.run("subject line please", onEvent: recorder.record)

            let lines = result.answer.split(separator: "\n").map(String.init)
            #expect(lines.first == "Pay invoice 42 by Friday")
            let winner = try #require(lines.dropFirst().first?.split(separator: ":").first.map(String.init))
            #expect(lines.dropFirst().first == "\(winner): it names the deadline")
            #expect(lines.last?.contains("\(winner)=Pay invoice 42 by Friday;") == true)
            #expect(["Your invoice is ready", "Invoice #42 inside"].allSatisfy { lines.last?.contains("=\($0);") == true })

            #expect(server.requests.filter { $0.systemText == "You write subject lines." }.count == 3)
            let picked = server.requests.filter { $0.systemText == "You pick." }
            #expect(picked.count == 1)
            #expect(picked.first?.lastUserText?.hasPrefix(
                #"Request: subject line please\#n\#nEach answer is a run of `subject_writer` with {"task":"a subject line for invoice 42, due Friday"}."#) == true)
            let variants = result.calls.filter { $0.toolName == "subject_writer" }
            #expect(variants.map(\.callID).sorted() == ["route_0_subject_v1", "route_0_subject_v2", "route_0_subject_v3"])
            let lastStart = try #require(variants.compactMap(\.started).max())
            let firstEnd = try #require(variants.map(\.finished).min())
            #expect(lastStart < firstEnd)
            let decision = try #require(Self.decisions(recorder).first)
            #expect(decision.callID == "route_0_subject" && decision.outcome.judged && decision.branches == ["variant_1", "variant_2", "variant_3"])
            await http.shutdown()
        }
    }

    @Test func badJoinKeysAreLoadErrorsAtTheirLine() throws {
        let registry = try Self.flightTools
        func error(_ yaml: String) -> String {
            do {
                _ = try Self.routes(yaml, registry: registry, prompts: ["judge.md": "You judge.", "t.mustache": "{{join.answer}}"])
                return "loaded"
            } catch let error as ConfigError {
                return error.description
            } catch {
                return "\(error)"
            }
        }
        let head = """
            name: flight
            match: {keywords: [land]}
            calls:
              - {label: airline, tool: airline_status}
              - {label: airport, tool: airport_board}

            """
        #expect(error(head + "join: {template: t.mustache, precedance: {arrival: [airport]}}").contains("unknown key `precedance` in `join`; did you mean `precedence`?"))
        #expect(error(head + "join: {branches: [airline, airprot]}").contains("/r/routes/flight.yaml:6:28: error: `join.branches[1]`: `airprot` is not a call of this route; did you mean `airport`?"))
        #expect(error(head + "join: {precedence: {arrival: [airport, tower]}}").contains("`tower` is not a branch of this join (airline, airport)"))
        #expect(error(head + "join: {judge: missing.md}").contains("judge prompt"))
        #expect(error(head + "join: {branches: [airline]}").contains("join rules reconcile two or more calls"))
        #expect(error(head + "join: {dedup: name}").contains("/r/routes/flight.yaml:6:15: error: `join.dedup`: expected sequence, got string `name`"))
        let variants = """
            name: flight
            match: {keywords: [land]}
            calls:
              - {label: airline, tool: airline_status, variants: VALUE}
            join: t.mustache
            """
        #expect(error(variants.replacingOccurrences(of: "VALUE", with: "40")).contains("/r/routes/flight.yaml:4:54: error: `calls[0].variants`: a call runs as 1 to 16 variants at once; got 40"))
        #expect(error(variants.replacingOccurrences(of: "VALUE", with: "three")).contains("expected integer"))
        #expect(error(variants.replacingOccurrences(of: "VALUE", with: "1, join: {judge: judge.md}")).contains("a call's `join:` joins its variants"))
        #expect(error(variants.replacingOccurrences(of: "VALUE", with: "2, join: {precedence: {answer: [variant_3]}}")).contains("`variant_3` is not a branch of this join (variant_1, variant_2)"))
        #expect(error(variants.replacingOccurrences(of: "VALUE", with: "2, jion: {}")).contains("did you mean `join`?"))
        #expect(error(variants.replacingOccurrences(of: "VALUE", with: "3, join: {judge: judge.md}")) == "loaded")
    }
}

/// The shipped example of Examples/Workers/routes loads, and its judged route answers as its
/// template says when the sources disagree and the judge cannot decide.
@Suite("Route joins: the Workers example", .timeLimit(.minutes(2)))
struct RouteJoinExampleTests {
    static let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path + "/Examples/Workers"

    @Test func theArrivalRouteNamesTheConflictWhenTheJudgeCannotDecide() async throws {
        try await withFakeModelServer { server in
            server.respond { request in
                let task = request.lastUserText ?? ""
                if request.systemText.hasPrefix("You check one part of a trip") {
                    return .text(task.hasPrefix("The airline") ? "Lands at 10:40." : "Lands at 10:55.")
                }
                if request.systemText.hasPrefix("You judge answers that disagree") { return .text("I cannot decide.") }
                return .text("the model should not be asked")
            }
            let workspace = try Workspace.load(
                configPath: Self.example + "/config.yaml", environment: ["FAKE_PORT": "\(server.port)", "FAKE_KEY": "k"], currentDirectory: Self.example)
            #expect(workspace.routes.routes.map(\.name) == ["arrival", "trip_subject"])
            let agent = workspace.makeAgent(routing: .hybrid, logger: Logger(label: "test"))
            let result = await agent.run("when does flight FR 1234 land")

            let checks = server.requests.filter { $0.systemText.hasPrefix("You check one part of a trip") }
            #expect(checks.compactMap(\.lastUserText).sorted().map { $0.prefix(20) } == ["The airline's status", "The arrival airport'"])
            #expect(checks.allSatisfy { $0.lastUserText?.contains("flight FR 1234 land?") == true })
            let lines = result.answer.split(separator: "\n").map(String.init)
            #expect(lines.first == "Lands at 10:55.")
            #expect(lines.contains(
                #"The sources disagree (answer: airline "Lands at 10:40.", airport "Lands at 10:55." → airport); the judge could not decide (its answer is not a JSON object: `I cannot decide.`), so the airport's board was taken."#))
        }
    }
}
