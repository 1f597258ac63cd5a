import Brigade
import BrigadeTesting
import Foundation
import Testing

/// `brigade run --json` hosts every run on one runtime: caps hold across concurrent runs, proven
/// from the tools' own timestamps.
@Suite("Protocol: one scheduler for every run", .timeLimit(.minutes(2)))
struct ProtocolSharedSchedulerTests {
    @Test func concurrentRunsNeverExceedAToolsCapOrTheGlobalCap() async throws {
        let folder = try TemporaryFolder()
        let log = folder.path + "/stamps.log"
        let stamp = try folder.write("stamp.sh", StampLog.script, executable: true)
        try folder.write("config.yaml", "routing: static\nlimits: {max_parallel_calls: 3}\n")
        try folder.write("tools/tools.yaml", """
            tools:
              - name: limited
                description: Stamps; two at once at most.
                kind: command
                command: {argv: [\(stamp), limited, \(log)]}
                policy: {max_concurrency: 2}
              - name: free
                description: Stamps; only the global cap applies.
                kind: command
                command: {argv: [\(stamp), free, \(log)]}
            """)
        try folder.write("routes/routes.yaml", """
            routes:
              - name: stamping
                description: Stamps three times.
                match: {keywords: [stamp]}
                calls: [{tool: limited}, {tool: limited, label: again}, {tool: free}]
                join: model
            """)
        let ids = (1...12).map { JSONValue.string("r\($0)") }
        var finished: [JSONValue] = []
        let exit = try await withBrigadeProtocol(config: folder.path + "/config.yaml", in: folder.path, arguments: ["--max-concurrent-runs", "8"]) { conversation in
            _ = try await conversation.read("ready")
            for id in ids { try await conversation.send(["type": "run", "id": id, "prompt": "stamp please"]) }
            for id in ids { finished.append(try await conversation.read("finished", id: id)) }
        }
        #expect(exit.status == .exited(0))
        #expect(finished.allSatisfy { $0["stop_reason"] == "finished" && $0["tool_calls"] == 3 })
        let stamps = try StampLog.read(log)
        #expect(stamps.filter { $0.tool == "limited" }.count == 24)
        #expect(stamps.filter { $0.tool == "free" }.count == 12)
        #expect(StampLog.maxOverlap(stamps.filter { $0.tool == "limited" }) <= 2)
        #expect(StampLog.maxOverlap(stamps) <= 3)
    }
}
