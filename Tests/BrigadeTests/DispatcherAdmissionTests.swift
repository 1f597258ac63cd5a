import Brigade
import BrigadeTesting
import Testing

@Suite("Dispatcher admission, validation and approval", .timeLimit(.minutes(1)))
struct DispatcherAdmissionTests {
    let weatherSchema: JSONValue = [
        "type": "object",
        "properties": ["city": ["type": "string"]],
        "required": ["city"],
    ]

    @Test func callsPastThePerTurnCapAreNotRunAndTheOthersAre() async throws {
        let dispatcher = Dispatcher(registry: try registry(TestTools.echo()), logger: .quiet)
        let ledger = BudgetLedger(limits: Budget.Limits(maxCallsPerTurn: 2))
        let results = await dispatcher.dispatch((1...4).map { call("echo", id: "\($0)") }, budget: ledger)
        #expect(results.map(\.status) == [.ok, .ok, .notRun, .notRun])
        #expect(results[2].output == "not run: call cap 2 reached (calls per turn)")
        #expect(results[3].resultMessage.isError)
        // The per-turn count starts again with the next batch.
        let next = await dispatcher.dispatch([call("echo", id: "5")], budget: ledger)
        #expect(next[0].status == .ok)
        #expect(ledger.budget.toolCalls == 3)
    }

    @Test func callsPastThePerRunCapAreNotRun() async throws {
        let dispatcher = Dispatcher(registry: try registry(TestTools.echo()), logger: .quiet)
        let ledger = BudgetLedger(limits: Budget.Limits(maxCallsPerRun: 3))
        let first = await dispatcher.dispatch([call("echo", id: "1"), call("echo", id: "2")], budget: ledger)
        let second = await dispatcher.dispatch([call("echo", id: "3"), call("echo", id: "4")], budget: ledger)
        #expect(first.map(\.status) == [.ok, .ok])
        #expect(second.map(\.status) == [.ok, .notRun])
        #expect(second[1].output == "not run: call cap 3 reached (calls per run)")
    }

    @Test func callsThatCostMoreThanIsLeftAreNotRunCheaperOnesAre() async throws {
        let paid = TestTools.echo("paid", policy: ToolPolicy(costUSD: 0.4))
        let dispatcher = Dispatcher(registry: try registry(paid, TestTools.echo()), logger: .quiet)
        let ledger = BudgetLedger(limits: Budget.Limits(usd: 1.0, synthesisReserve: 0))
        let results = await dispatcher.dispatch([call("paid", id: "1"), call("paid", id: "2"), call("paid", id: "3"), call("echo", id: "4")], budget: ledger)
        #expect(results.map(\.status) == [.ok, .ok, .notRun, .ok])
        #expect(results[2].output == "not run: the USD budget cannot cover this call (0.4 USD)")
        #expect(abs(ledger.budget.costUSD - 0.8) < 1e-12)
    }

    @Test func noCallRunsOnceTheTimeBudgetIsUsedUp() async throws {
        let dispatcher = Dispatcher(registry: try registry(TestTools.echo()), logger: .quiet)
        let ledger = BudgetLedger(limits: Budget.Limits(wallTime: .seconds(1)), startedAt: .now - .seconds(2))
        let results = await dispatcher.dispatch([call("echo", id: "1")], budget: ledger)
        #expect(results[0].status == .notRun)
        #expect(results[0].output == "not run: the run's time budget is used up")
    }

    @Test func anUnknownToolGetsAnErrorListingTheAvailableTools() async throws {
        let dispatcher = Dispatcher(registry: try registry(TestTools.echo(), TestTools.echo("shout")), logger: .quiet)
        let ledger = BudgetLedger(limits: Budget.Limits())
        let results = await dispatcher.dispatch([call("whisper", id: "1")], budget: ledger)
        #expect(results[0].status == .error)
        #expect(results[0].output == "error: unknown tool 'whisper'; available tools: echo, shout")
        #expect(ledger.budget.toolCalls == 0)  // invalid calls are not charged
        let empty = Dispatcher(registry: ToolRegistry(), logger: .quiet)
        #expect(await empty.dispatch([call("x", id: "1")])[0].output == "error: unknown tool 'x'; no tools are available")
    }

    @Test func argumentsThatAreNotAJSONObjectGetAnError() async throws {
        let dispatcher = Dispatcher(registry: try registry(TestTools.echo()), logger: .quiet)
        let results = await dispatcher.dispatch([
            call("echo", #"{"text": "unterminated"#, id: "1"),
            call("echo", "[1, 2]", id: "2"),
            call("echo", "", id: "3"),
            call("echo", "  ", id: "4"),
        ])
        #expect(results.map(\.status) == [.error, .error, .ok, .ok])
        #expect(results[0].output.hasPrefix("error: the arguments of 'echo' are not valid JSON ("))
        #expect(results[1].output == "error: the arguments of 'echo' must be a JSON object, got array")
    }

    @Test func argumentsThatFailTheSchemaGetTheViolations() async throws {
        let weather = Tool(name: "weather", description: "", parameters: weatherSchema) { _, _ in ToolOutput(text: "sunny") }
        let dispatcher = Dispatcher(registry: try registry(weather), logger: .quiet)
        let results = await dispatcher.dispatch([call("weather", #"{"city": 3}"#, id: "1"), call("weather", #"{"city": "Oslo"}"#, id: "2")])
        #expect(results.map(\.status) == [.error, .ok])
        #expect(results[0].output.hasPrefix("error: the arguments of 'weather' do not match its parameters:\n- "))
        #expect(results[0].output.contains("city"))
    }

    @Test func confirmToolsAreDeniedByDefault() async throws {
        let ran = Latch()
        let delete = Tool(name: "delete", description: "", policy: ToolPolicy(confirm: true, costUSD: 0.1)) { _, _ in
            ran.open()
            return ToolOutput(text: "deleted")
        }
        let dispatcher = Dispatcher(registry: try registry(delete, TestTools.echo()), logger: .quiet)
        let ledger = BudgetLedger(limits: Budget.Limits(usd: 1))
        let recorder = EventRecorder()
        let results = await dispatcher.dispatch([call("delete", id: "1"), call("echo", id: "2")], budget: ledger, onEvent: recorder.record)
        #expect(results.map(\.status) == [.denied, .ok])
        #expect(results[0].output == "denied: tool delete needs approval")
        #expect(!ran.isOpen)
        #expect(!recorder.startedCallIDs.contains("1"))
        #expect(ledger.budget.toolCalls == 1 && ledger.budget.costUSD == 0)  // the denied call was refunded
    }

    @Test func approvedCallsRunAndAskingIsOneAtATime() async throws {
        let asked = RecordedStrings()
        let inside = ConcurrencyProbe()
        let policy = ClosureApprovalPolicy { request in
            inside.enter()
            defer { inside.leave() }
            asked.append(request.call.id)
            return request.arguments["text"]?.stringValue == "no" ? .deny : .approve
        }
        let tool = TestTools.echo("danger", policy: ToolPolicy(confirm: true))
        let dispatcher = Dispatcher(registry: try registry(tool), configuration: .init(approval: policy), logger: .quiet)
        let results = await dispatcher.dispatch([
            call("danger", #"{"text":"yes"}"#, id: "1"),
            call("danger", #"{"text":"no"}"#, id: "2"),
            call("danger", #"{"text":"yes"}"#, id: "3"),
        ])
        #expect(results.map(\.status) == [.ok, .denied, .ok])
        #expect(Set(asked.values) == ["1", "2", "3"])
        #expect(inside.maxActive == 1)
    }

    @Test func approveAlwaysIsRememberedForTheTool() async throws {
        let asked = RecordedStrings()
        let policy = ClosureApprovalPolicy { request in
            asked.append(request.call.name)
            return request.call.name == "a" ? .approveAlways : .approve
        }
        let tools = [TestTools.echo("a", policy: ToolPolicy(confirm: true)), TestTools.echo("b", policy: ToolPolicy(confirm: true))]
        let dispatcher = Dispatcher(registry: try ToolRegistry(tools), configuration: .init(approval: policy), logger: .quiet)
        _ = await dispatcher.dispatch([call("a", id: "1"), call("a", id: "2"), call("b", id: "3")])
        let second = await dispatcher.dispatch([call("a", id: "4"), call("b", id: "5")])
        #expect(second.map(\.status) == [.ok, .ok])
        #expect(asked.values.filter { $0 == "a" }.count == 1)
        #expect(asked.values.filter { $0 == "b" }.count == 2)
    }

    @Test func approveAllPolicyRunsConfirmTools() async throws {
        let tool = TestTools.echo("danger", policy: ToolPolicy(confirm: true))
        let dispatcher = Dispatcher(registry: try registry(tool), configuration: .init(approval: .approveAll), logger: .quiet)
        #expect(await dispatcher.dispatch([call("danger", id: "1")])[0].status == .ok)
    }
}
