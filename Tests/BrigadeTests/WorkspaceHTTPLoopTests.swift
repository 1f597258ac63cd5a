import Brigade
import BrigadeTesting
import CurlHTTP
import Testing

/// A command that makes no HTTP request (`tools list`, `ask` on the offline router) must not start
/// the HTTP client's loop: starting it initialises libcurl (OpenSSL and the libraries libcurl links),
/// about 9 MB of the process's memory (docs/benchmarks.md, "Memory (peak RSS)").
@Suite("Workspace and the HTTP loop", .timeLimit(.minutes(1)))
struct WorkspaceHTTPLoopTests {
    @Test("Loading the shipped workspace, with its model and its http tool, starts no HTTP loop")
    func loadingStartsNoLoop() throws {
        let client = HTTPClient()
        defer { client.syncShutdown() }
        let root = BuiltProduct.packageRoot
        let environment = ["OPENAI_API_KEY": "test-key", "HOME": root + "/.no-home", "XDG_CONFIG_HOME": root + "/.no-xdg"]
        let workspace = try Workspace.load(
            configPath: root + "/config.yaml", environment: environment, currentDirectory: root, httpClient: client)
        #expect(workspace.model != nil)
        #expect(workspace.registry.tools.contains { $0.name == "http_get" })
        #expect(!client.loopWasStarted)
    }
}
