import Foundation
import Subprocess
import Testing
import BrigadeTesting

/// The example program of Examples/ runs offline and does what its comment says.
@Suite("Examples", .timeLimit(.minutes(1)))
struct ExampleTests {
    @Test func embeddedAgentRunsAYAMLToolAndASwiftToolInOneTurn() async throws {
        let binary = BuiltProduct.path("EmbeddedAgent")
        let result = try await Subprocess.run(
            .path(.init(binary)),
            arguments: ["--root", ProtocolSchemas.repositoryRoot, "count these four words"],
            environment: .hermetic(["OPENAI_API_KEY": nil]),
            output: .string(limit: 64 * 1024),
            error: .string(limit: 64 * 1024)
        )
        let output = result.standardOutput
        #expect(result.terminationStatus == .exited(0), "stdout: \(output)\nstderr: \(result.standardError)")
        #expect(output.contains("✓ current_time ok"))
        #expect(output.contains("✓ word_count ok: 4 words"))
        #expect(output.contains("finished: finished, 2 tool calls"))
    }
}
