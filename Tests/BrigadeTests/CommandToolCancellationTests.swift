import Brigade
import Foundation
import Testing

import BrigadeTesting
#if canImport(Glibc)
import Glibc
#endif

/// Starts a plain grandchild, a grandchild that ignores SIGTERM, and `sh -c 'sleep 100 & wait'`
/// whose own child is a great-grandchild; every pid is reported on the FIFO, then the script waits.
private func familyScript(leaderIgnoresTerm: Bool) -> String {
    """
    #!/bin/bash
    set -euo pipefail
    fifo="$1"
    \(leaderIgnoresTerm ? "trap '' TERM" : "")
    sleep 100 &
    plain=$!
    ( trap '' TERM; exec sleep 100 ) &
    stubborn=$!
    sh -c 'sleep 100 & echo "inner $!" > "$1"; wait' sh "$fifo" &
    shell=$!
    echo "outer $$ $plain $stubborn $shell" > "$fifo"
    wait
    """
}

@Suite("Command tool cancellation", .timeLimit(.minutes(1)))
struct CommandToolCancellationTests {
    @Test(arguments: [false, true])
    func cancellationKillsTheWholeProcessGroup(leaderIgnoresTerm: Bool) async throws {
        let folder = try TemporaryFolder()
        let script = try folder.write("family.sh", familyScript(leaderIgnoresTerm: leaderIgnoresTerm), executable: true)
        let fifo = try folder.makeFIFO("pids")
        let tool = try CommandToolExecutor(
            CommandToolConfig(argv: located([script, fifo])),
            spec: commandSpec(parameters: [:]),
            baseDirectory: "/",
            terminationGrace: .milliseconds(200)
        )
        let (outcome, pids) = await withTaskGroup(of: Result<ToolOutput, any Error>?.self) { group in
            group.addTask {
                do { return .success(try await tool.call([:], context: context)) } catch { return .failure(error) }
            }
            let lines = await readFIFOLines(fifo) { lines in
                lines.contains { $0.hasPrefix("outer") } && lines.contains { $0.hasPrefix("inner") }
            }
            group.cancelAll()
            let outcome = await group.next() ?? nil
            let pids = lines.flatMap { $0.split(separator: " ").dropFirst().compactMap { pid_t($0) } }
            return (outcome, pids)
        }
        #expect(pids.count == 5, "script reported \(pids)")
        switch outcome {
        case .failure(let error)?: #expect(error is CancellationError)
        default: Issue.record("expected CancellationError, got \(String(describing: outcome))")
        }
        for pid in pids {
            #expect(await waitUntilDead(pid), "process \(pid) survived cancellation")
        }
    }

    @Test func leftoverBackgroundProcessesDieWhenTheCallEnds() async throws {
        let folder = try TemporaryFolder()
        let script = try folder.write(
            "bg.sh",
            "#!/bin/bash\nset -euo pipefail\n( trap '' TERM; exec sleep 100 ) </dev/null >/dev/null 2>&1 &\necho $!\n",
            executable: true)
        let tool = try CommandToolExecutor(CommandToolConfig(argv: located([script])), spec: commandSpec(parameters: [:]), baseDirectory: "/")
        let output = try await tool.call([:], context: context)
        let pid = try #require(pid_t(output.text))
        #expect(await waitUntilDead(pid))
    }

    @Test func aGrandchildHoldingStdoutDoesNotHoldTheCall() async throws {
        // The background sleep inherits stdout; the call must end when the script does, and the sleep must die.
        let folder = try TemporaryFolder()
        let script = try folder.write("holder.sh", "#!/bin/bash\nset -euo pipefail\nsleep 100 &\necho \"$!\"\n", executable: true)
        let tool = try CommandToolExecutor(CommandToolConfig(argv: located([script])), spec: commandSpec(parameters: [:]), baseDirectory: "/")
        let output = try await tool.call([:], context: context)
        #expect(!output.isError)
        let pid = try #require(pid_t(output.text))
        #expect(await waitUntilDead(pid))
    }

    @Test func aCancelledCallDoesNotStart() async throws {
        let folder = try TemporaryFolder()
        let marker = folder.path + "/ran"
        let tool = try CommandToolExecutor(
            CommandToolConfig(argv: located(["touch", marker])), spec: commandSpec(parameters: [:]), baseDirectory: "/")
        await withTaskGroup(of: Void.self) { group in
            group.cancelAll()
            group.addTask {
                await #expect(throws: CancellationError.self) { try await tool.call([:], context: context) }
            }
        }
        #expect(!FileManager.default.fileExists(atPath: marker))
    }
}
