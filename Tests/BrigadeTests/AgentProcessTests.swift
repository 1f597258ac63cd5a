import Brigade
import BrigadeTesting
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Agent with command tools", .timeLimit(.minutes(1)))
struct AgentProcessTests {
    /// Two command calls of one turn each start a child and a grandchild that ignores SIGTERM, report
    /// their pids, then wait. Cancelling the run must leave none of them alive.
    @Test func cancellingARunKillsEveryChildProcess() async throws {
        let folder = try TemporaryFolder()
        let script = try folder.write("family.sh", """
            #!/bin/bash
            set -euo pipefail
            sleep 100 &
            plain=$!
            ( trap '' TERM; exec sleep 100 ) &
            stubborn=$!
            echo "pids $$ $plain $stubborn" > "$1"
            wait
            """, executable: true)
        let fifo = try folder.makeFIFO("pids")
        let executor = try CommandToolExecutor(
            CommandToolConfig(argv: located([script, fifo])),
            spec: commandSpec("family", parameters: ["type": "object", "properties": [:]]),
            baseDirectory: "/",
            terminationGrace: .milliseconds(200)
        )
        let tool = Tool(spec: ToolSpec(name: "family", description: "Starts a family of processes."), executor: executor)
        let model = ScriptedModelClient([.toolCalls([call("family", id: "1"), call("family", id: "2")]), .answer("never")])
        let agent = try makeAgent(model, tools: [tool])
        let session = AgentSession()

        let run = Task { await agent.run("start them", session: session) }
        let lines = await readFIFOLines(fifo) { lines in lines.filter { $0.hasPrefix("pids") }.count == 2 }
        run.cancel()
        let result = await run.value

        let pids = lines.flatMap { $0.split(separator: " ").dropFirst().compactMap { pid_t($0) } }
        #expect(pids.count == 6, "scripts reported \(lines)")
        #expect(result.stopReason == .cancelled)
        #expect(result.calls.map(\.status) == [.cancelled, .cancelled])
        for pid in pids {
            #expect(await waitUntilDead(pid), "process \(pid) survived the cancelled run")
        }
    }

    @Test func aTimedOutCommandIsKilledWhileTheOtherCallsFinish() async throws {
        let folder = try TemporaryFolder()
        let script = try folder.write("slow.sh", "#!/bin/bash\necho \"$$\" > \"$1\"\nexec sleep 100\n", executable: true)
        let fifo = try folder.makeFIFO("pid")
        let executor = try CommandToolExecutor(
            CommandToolConfig(argv: located([script, fifo])),
            spec: commandSpec("slow", parameters: ["type": "object", "properties": [:]]),
            baseDirectory: "/",
            terminationGrace: .milliseconds(200)
        )
        let slow = Tool(spec: ToolSpec(name: "slow", description: "", policy: ToolPolicy(timeout: .milliseconds(500))), executor: executor)
        let model = ScriptedModelClient([.toolCalls([call("slow", id: "1"), call("echo", #"{"text":"fast"}"#, id: "2")]), .answer("done")])
        // A manual clock: the timeout fires only once the command provably runs and the echo is done.
        let clock = ManualClock()
        let echoed = Latch()
        let agent = try makeAgent(model, tools: [slow, TestTools.echo()], clock: clock)
        async let running = agent.run("go") { event in
            if case .toolCallFinished(let outcome) = event, outcome.call.id == "2" { echoed.open() }
        }
        let lines = await readFIFOLines(fifo) { !$0.isEmpty }
        try await echoed.wait()
        clock.advance(by: .milliseconds(500))
        let result = await running
        let pid = try #require(lines.first.flatMap { pid_t($0) })
        #expect(result.stopReason == .finished)
        #expect(result.calls.map(\.status) == [.timeout, .ok])
        #expect(result.answer == "done")
        #expect(await waitUntilDead(pid))
    }
}
