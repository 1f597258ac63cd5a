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

    /// Runs `brigade ARGUMENTS` on a machine without libcurl: in a user and mount namespace of its own
    /// (`unshare -rm`: no privileges needed), every libcurl.so.4 and libcurl.so the loader's cache
    /// names is covered with /dev/null, so the built binary's own dlopen fails as it does where the
    /// package is missing. Nothing in the binary knows it is tested.
    static func runWithoutLibcurl(_ arguments: [String], in directory: String, environment: [String: String] = [:]) async throws -> Brigade.Outcome {
        let hide = """
            set -e
            for library in $(ldconfig -p | awk '$1 == "libcurl.so.4" || $1 == "libcurl.so" { print $NF }'); do
                mount --bind /dev/null "$library"
            done
            exec "$0" "$@"
            """
        return try await MountNamespace.run(hide, Brigade.path, arguments, in: directory, environment: environment)
    }

    @Test("without libcurl, a model request fails naming the package; offline commands work",
          .enabled("needs `unshare -rm` (user and mount namespaces)", MountNamespace.isAvailable))
    func withoutLibcurlHTTPFailsClearlyAndOfflineCommandsWork() async throws {
        let version = try await Self.runWithoutLibcurl(["--version"], in: "/")
        #expect(version.status == 0, "\(version.standardError)")
        #expect(version.standardOutput.hasPrefix("brigade "))

        let folder = try TemporaryFolder()
        let config = Brigade.repositoryRoot + "/config.yaml"
        let list = try await Self.runWithoutLibcurl(["tools", "list", "--config", config], in: folder.path)
        #expect(list.status == 0, "\(list.standardError)")
        #expect(list.standardOutput.contains("http_get"))

        try folder.write("config.yaml", "routing: static\nstore: off\n")
        try folder.writeGreetingRoute()
        let routed = try await Self.runWithoutLibcurl(["ask", "say hello"], in: folder.path)
        #expect(routed.status == 0, "\(routed.standardError)")
        #expect(routed.standardOutput == "route says: hello from the tool\n")

        try await withFakeModelServer { server in
            server.enqueue(.text("Hello."))
            let project = try TemporaryFolder()
            try project.writeFakeModelConfig(server)
            let asked = try await Self.runWithoutLibcurl(["ask", "hi"], in: project.path, environment: ["FAKE_KEY": "k"])
            // No answer (docs/runtime.md: exit 3, model_unavailable), and the reason says what to install.
            #expect(asked.status == 3, "\(asked.standardError)")
            let said = asked.standardOutput + asked.standardError
            #expect(said.contains("libcurl (libcurl.so.4) could not be loaded: "), "\(said)")
            #expect(said.contains("install libcurl4"), "\(said)")
            #expect(server.requests.isEmpty)

            // The same binary and config outside the namespace reach the server: the namespace is
            // what took libcurl away.
            let reached = try await Brigade.run(["ask", "hi"], in: project.path, environment: ["FAKE_KEY": "k"])
            #expect(reached.status == 0, "\(reached.standardError)")
            #expect(server.requests.count == 1)
        }
    }
}
