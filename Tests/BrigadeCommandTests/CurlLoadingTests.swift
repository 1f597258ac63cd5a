import Brigade
import BrigadeTesting
import Testing

/// libcurl is loaded by the first HTTP request, not at start (Sources/CCurl/include/shim.h): a
/// command that sends none never maps it nor the libraries it links (docs/benchmarks.md, "Memory
/// (peak RSS)"). glibc's `LD_DEBUG=files` names every library the loader opens, at start or later.
@Suite("brigade loads libcurl with its first HTTP request", .timeLimit(.minutes(2)))
struct CurlLoadingTests {
    static let loaderTrace = ["LD_DEBUG": "files"]

    @Test("tools list and ask on the offline router never load libcurl; ask with a model does")
    func libcurlIsLoadedByTheFirstRequestOnly() async throws {
        let folder = try TemporaryFolder()
        let config = Brigade.repositoryRoot + "/config.yaml"
        let list = try await Brigade.run(["tools", "list", "--config", config], in: folder.path, environment: Self.loaderTrace)
        #expect(list.status == 0, "\(list.standardError)")
        #expect(list.standardOutput.contains("http_get"))
        #expect(list.standardError.contains("file=libc.so.6"), "the loader trace is on")
        #expect(!list.standardError.contains("libcurl"))

        // The README's main command without a key: the offline router runs the brief's tools (here,
        // outside a repository, the brief fails: exit 3), and no HTTP request is made.
        let offline = try await Brigade.run(
            ["ask", "--config", config, "brief me on this repository"], in: folder.path, environment: Self.loaderTrace)
        #expect(offline.status == 3, "\(offline.standardError)")
        #expect(offline.standardError.contains("no API key in $OPENAI_API_KEY"))
        #expect(!offline.standardError.contains("libcurl"))

        try await withFakeModelServer { server in
            server.enqueue(.text("Hello."))
            let project = try TemporaryFolder()
            try project.writeFakeModelConfig(server)
            let environment = Self.loaderTrace.merging(["FAKE_KEY": "k"]) { $1 }
            let asked = try await Brigade.run(["ask", "hi"], in: project.path, environment: environment)
            #expect(asked.status == 0, "\(asked.standardError)")
            #expect(asked.standardOutput == "Hello.\n")
            #expect(asked.standardError.contains("file=libcurl.so.4"))
        }
    }
}
