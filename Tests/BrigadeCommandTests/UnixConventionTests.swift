import Brigade
import BrigadeTesting
import Foundation
import Testing

/// `brigade ask` as a Unix tool: the request or context from stdin, `-f` files, `--system`, `-q`,
/// `--no-stream`, global options before the subcommand, `--version`, and no log lines unless asked.
@Suite("Unix conventions", .timeLimit(.minutes(2)))
struct UnixConventionTests {
    /// A folder whose model is the fake server (key in $FAKE_KEY, no retries).
    static func workspace(_ server: FakeModelServer) throws -> TemporaryFolder {
        let folder = try TemporaryFolder()
        try folder.write("config.yaml", """
            model: {provider: openai, base_url: "\(server.openAIBaseURL)", model: fake, api_key_env: FAKE_KEY, max_retries: 0}
            routing: model
            """)
        return folder
    }

    static let key = ["FAKE_KEY": "k"]

    /// The user message of the model request, as the model got it.
    static func userText(_ server: FakeModelServer) throws -> String {
        let request = try #require(server.requests.first)
        let body = try JSONValue(parsing: request.bodyText)
        return body["messages"]?.arrayValue?.last { $0["role"] == "user" }?["content"]?.stringValue ?? ""
    }

    @Test func thePromptComesFromStdinWhenNoneIsGiven() async throws {
        try await withFakeModelServer { server in
            server.enqueue(.text("Paris."))
            let folder = try Self.workspace(server)
            let outcome = try await Brigade.run(["ask"], in: folder.path, environment: Self.key, stdin: Array("what is the capital of France?\n".utf8))
            #expect(outcome.status == 0, "\(outcome.standardError)")
            #expect(outcome.standardOutput == "Paris.\n")
            #expect(try Self.userText(server) == "what is the capital of France?")
        }
    }

    @Test func pipedInputWithAPromptGoesAlongAsContextAndIsCutWithANote() async throws {
        try await withFakeModelServer { server in
            server.enqueue(.text("Summary."))
            let folder = try Self.workspace(server)
            let piped = String(repeating: "line of log\n", count: 100)  // 1200 bytes
            let outcome = try await Brigade.run(
                ["ask", "--max-input-bytes", "120", "summarize"], in: folder.path, environment: Self.key, stdin: Array(piped.utf8))
            #expect(outcome.status == 0, "\(outcome.standardError)")
            let text = try Self.userText(server)
            #expect(text.hasPrefix("summarize\n\n<input name=\"stdin\">\n" + String(repeating: "line of log\n", count: 10) + "</input>"), "\(text)")
            #expect(text.hasSuffix("[stdin cut: the first 120 bytes are shown (--max-input-bytes)]"))
            #expect(outcome.standardError.contains("brigade: [stdin cut: the first 120 bytes"))
        }
    }

    @Test func filesAreAttachedAndAMissingOneIsAUsageError() async throws {
        try await withFakeModelServer { server in
            server.enqueue(.text("Both read."))
            let folder = try Self.workspace(server)
            try folder.write("a.txt", "alpha\n")
            try folder.write("b.txt", "beta")
            let outcome = try await Brigade.run(["ask", "-f", "a.txt", "--file", "b.txt", "compare"], in: folder.path, environment: Self.key)
            #expect(outcome.status == 0, "\(outcome.standardError)")
            #expect(try Self.userText(server) == "compare\n\n<input name=\"a.txt\">\nalpha\n</input>\n\n<input name=\"b.txt\">\nbeta\n</input>")

            let missing = try await Brigade.run(["ask", "-f", "nope.txt", "compare"], in: folder.path, environment: Self.key)
            #expect(missing.status == 2)
            #expect(missing.standardError.contains("-f nope.txt: No such file or directory"), "\(missing.standardError)")
            #expect(server.requests.count == 1)
        }
    }

    @Test func binaryStdinIsRefusedWithExitTwo() async throws {
        let folder = try TemporaryFolder()
        var bytes = Array("PNG".utf8) + [0, 1, 2, 0xFF]
        bytes += [UInt8](repeating: 7, count: 500)
        let outcome = try await Brigade.run(["ask", "--max-input-bytes", "100", "what is this?"], in: folder.path, stdin: bytes)
        #expect(outcome.status == 2)
        #expect(outcome.standardError.contains("standard input is binary (more than 100 bytes)"), "\(outcome.standardError)")
        let dash = try await Brigade.run(["ask", "-f", "-", "what is this?"], in: folder.path, stdin: bytes)
        #expect(dash.status == 2)
        #expect(dash.standardError.contains("standard input is binary"))
    }

    @Test func systemQuietAndNoStream() async throws {
        try await withFakeModelServer { server in
            server.enqueue(.text("Ahoy."))
            let folder = try Self.workspace(server)
            try folder.write("pirate.md", "Talk like a pirate.")
            let outcome = try await Brigade.run(["ask", "-q", "--no-stream", "--system", "@pirate.md", "greet me"], in: folder.path, environment: Self.key)
            #expect(outcome.status == 0, "\(outcome.standardError)")
            #expect(outcome.standardOutput == "Ahoy.\n")
            #expect(outcome.standardError.isEmpty, "\(outcome.standardError)")
            let body = try JSONValue(parsing: try #require(server.requests.first).bodyText)
            #expect(body["messages"]?.arrayValue?.first?["content"] == "Talk like a pirate.")
        }
    }

    @Test func globalOptionsComeBeforeTheSubcommand() async throws {
        let folder = try TemporaryFolder()
        let outcome = try await Brigade.run(["--config", Brigade.repositoryRoot + "/config.yaml", "-v", "routes", "list"], in: folder.path)
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(outcome.standardOutput.contains("repo_brief"))
    }

    @Test func versionIsSemantic() async throws {
        let folder = try TemporaryFolder()
        let outcome = try await Brigade.run(["--version"], in: folder.path)
        #expect(outcome.status == 0)
        #expect(outcome.standardOutput.hasPrefix("brigade \(BrigadeVersion.semantic)"))
        #expect(BrigadeVersion.semantic.split(separator: ".").count == 3)
        // Built in this checkout: the revision follows.
        #expect(outcome.standardOutput.contains(" (git "), "\(outcome.standardOutput)")
    }

    /// A failing model is told as a message; swift-log lines appear only with -v (or BRIGADE_LOG).
    @Test func noLogLinesUnlessAsked() async throws {
        try await withFakeModelServer { server in
            server.enqueue(.fault(.status(503, message: "busy")), .fault(.status(503, message: "busy")))
            let folder = try Self.workspace(server)
            let quiet = try await Brigade.run(["ask", "hello?"], in: folder.path, environment: Self.key)
            #expect(quiet.status == 3)
            #expect(!quiet.standardError.contains("[Brigade]") && !quiet.standardError.contains(" warning "), "\(quiet.standardError)")
            let verbose = try await Brigade.run(["-v", "ask", "hello?"], in: folder.path, environment: Self.key)
            #expect(verbose.status == 3)
            #expect(verbose.standardError.contains("model call failed"), "\(verbose.standardError)")
        }
    }
}
