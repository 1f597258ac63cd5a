import Foundation
import Testing

import Brigade
@testable import BrigadeCore
import BrigadeTesting

#if canImport(Glibc)
import Glibc
#endif

@Suite("MCP client against the Python SDK", .serialized, .timeLimit(.minutes(2)))
struct MCPClientTests {
    @Test("calls to two servers run at once: both calls meet, and their intervals overlap")
    func parallelAcrossServers() async throws {
        let a = try MCPPeers.peer("alpha", prefix: "a_")
        let b = try MCPPeers.peer("beta", prefix: "b_")
        let dispatcher = MCPPeers.dispatcher(a, b)
        let temporary = try TemporaryFolder(prefix: "brigade-mcp-")
        let folder = temporary.path
        let results = await dispatcher.dispatch([
            call("a_rendezvous", #"{"folder":"\#(folder)","me":"a","peer":"b"}"#, id: "1"),
            call("b_rendezvous", #"{"folder":"\#(folder)","me":"b","peer":"a"}"#, id: "2"),
        ])
        await a.shutdown()
        await b.shutdown()
        #expect(results.map(\.status) == [.ok, .ok], "\(results.map(\.output))")
        let reports = results.compactMap(\.json)
        try #require(reports.count == 2)
        #expect(reports.allSatisfy { $0["met"]?.boolValue == true })
        #expect(reports[0]["pid"] != reports[1]["pid"])
        let starts = reports.compactMap { $0["start"]?.doubleValue }
        let ends = reports.compactMap { $0["end"]?.doubleValue }
        #expect(starts.max()! < ends.min()!, "the calls did not overlap: starts \(starts), ends \(ends)")
        // Both servers started lazily, on the first call that named one of their tools.
        #expect(dispatcher.registry.names.contains("a_echo") && dispatcher.registry.names.contains("b_echo"))
    }

    @Test("max_concurrency caps the calls to one server across all its tools")
    func perServerCap() async throws {
        let server = try MCPPeers.peer("capped") { $0.maxConcurrency = 2 }
        let dispatcher = MCPPeers.dispatcher(server)
        let calls = (1...6).map { call("probe", #"{"target":2}"#, id: "p\($0)") }
        let results = await dispatcher.dispatch(calls)
        await server.shutdown()
        #expect(results.allSatisfy { $0.status == .ok }, "\(results.map(\.output))")
        let peaks = results.compactMap { $0.json?["peak"]?.intValue }
        #expect(peaks.count == 6)
        #expect(peaks.max() == 2, "peaks \(peaks)")
    }

    @Test("a timed-out call is cancelled on the server with notifications/cancelled")
    func timeoutCancels() async throws {
        let server = try MCPPeers.peer("slow") { $0.timeout = .milliseconds(300) }
        let dispatcher = MCPPeers.dispatcher(server)
        // Started first: the timeout is the call's, the startup has its own.
        await server.prepare()
        let results = await dispatcher.dispatch([call("hang", id: "h")])
        #expect(results.map(\.status) == [.timeout])
        #expect(results[0].output.contains("timed out after 0.3 s"))
        // The server counted the cancellation of its `hang` call.
        let count = try await server.callTool("cancellations", arguments: ["at_least": 1])
        await server.shutdown()
        #expect(count.text == "1")
    }

    @Test("a call's timeout starts when its server is up: a (re)start has its own startup_timeout")
    func startupIsNotTheCallsTimeout() async throws {
        // Every start of this server sleeps 1 s before it reads anything; a call may take 0.3 s.
        let server = try MCPPeers.peer("sleepy") {
            $0.timeout = .milliseconds(300)
            $0.env = ["PEER_START_DELAY": "1"]
        }
        let dispatcher = MCPPeers.dispatcher(server)
        let first = await dispatcher.dispatch([call("pid", id: "1")])
        let crashed = await dispatcher.dispatch([call("crash", id: "2")])
        // The next call restarts the server (after the backoff): neither counts against its 0.3 s.
        let restarted = await dispatcher.dispatch([call("echo", #"{"text":"awake"}"#, id: "3")])
        await server.shutdown()
        #expect(first.map(\.status) == [.ok], "\(first.map(\.output))")
        #expect(crashed.map(\.status) == [.error])
        #expect(restarted.map(\.status) == [.ok], "\(restarted.map(\.output))")
        #expect(restarted.first?.output == "sleepy: awake")
    }

    @Test("a server that crashes mid-call: the call gets a clear error, the next call restarts it")
    func crashAndRestart() async throws {
        let server = try MCPPeers.peer("fragile")
        let dispatcher = MCPPeers.dispatcher(server)
        let before = await dispatcher.dispatch([call("pid", id: "1")])
        let crashed = await dispatcher.dispatch([call("crash", id: "2"), call("echo", #"{"text":"x"}"#, id: "3")])
        let after = await dispatcher.dispatch([call("pid", id: "4")])
        await server.shutdown()
        #expect(before[0].status == .ok)
        #expect(crashed[0].status == .error)
        #expect(crashed[0].output.contains("MCP server 'fragile' stopped while the call ran"), "\(crashed[0].output)")
        #expect(crashed[0].output.contains("exited with code 3"))
        #expect(crashed[0].output.contains("crashing on purpose"))
        #expect(after[0].status == .ok, "\(after[0].output)")
        #expect(after[0].output != before[0].output, "the server was not restarted")
    }

    @Test("arguments are validated against the tool's inputSchema before the server sees them")
    func schemaValidation() async throws {
        let server = try MCPPeers.peer("math")
        let dispatcher = MCPPeers.dispatcher(server)
        let results = await dispatcher.dispatch([
            call("add", #"{"a":2,"b":3}"#, id: "1"),
            call("add", #"{"a":"two","b":3}"#, id: "2"),
            call("add", #"{"a":2}"#, id: "3"),
        ])
        await server.shutdown()
        #expect(results.map(\.status) == [.ok, .error, .error])
        #expect(results[0].output == "5")
        #expect(results[1].output.contains("do not match its parameters"))
        #expect(results[2].output.contains("b"))
    }

    @Test("notifications/tools/list_changed makes Brigade list the tools again")
    func listChanged() async throws {
        let server = try MCPPeers.peer("growing")
        let dispatcher = MCPPeers.dispatcher(server)
        let added = await dispatcher.dispatch([call("add_late_tool", id: "1")])
        #expect(added[0].output == "added")
        await server.waitForToolListings(2)
        #expect(dispatcher.registry.tool(named: "late") != nil)
        let late = await dispatcher.dispatch([call("late", id: "2")])
        await server.shutdown()
        #expect(late[0].status == .ok)
        #expect(late[0].output == "late tool ran")
    }

    @Test("results: isError maps to an error result, huge results are capped with a note")
    func resultMapping() async throws {
        let server = try MCPPeers.peer("results") { $0.maxOutputBytes = 1000 }
        let dispatcher = MCPPeers.dispatcher(server)
        let results = await dispatcher.dispatch([call("fail", #"{"message":"no such thing"}"#, id: "1"), call("big", #"{"size":300000}"#, id: "2")])
        await server.shutdown()
        #expect(results[0].status == .error)
        #expect(results[0].output.contains("no such thing"))
        #expect(results[1].status == .ok)
        #expect(results[1].output.utf8.count < 1200)
        #expect(results[1].output.contains("truncated"), "\(results[1].output.suffix(200))")
    }

    @Test("shutdown ends the server process")
    func shutdownEndsProcess() async throws {
        let server = try MCPPeers.peer("mortal")
        let pid = try await server.callTool("pid", arguments: [:])
        let processID = try #require(Int32(pid.text))
        #expect(kill(processID, 0) == 0)
        await server.shutdown()
        #expect(kill(processID, 0) == -1 && errno == ESRCH)
        #expect(server.status.state == "stopped")
    }
}
