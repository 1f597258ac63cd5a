import Brigade
import BrigadeTesting
import Testing

/// libedit is loaded by the chat's line editor, not at start (Sources/CEdit/include/shim.h): the other
/// commands never map it nor libtinfo, libbsd and libmd (docs/benchmarks.md, "Memory (peak RSS)",
/// fourth pass). ChatTerminalTests drive the line editor on a real terminal, so they load it.
@Suite("brigade loads libedit only for line editing", .timeLimit(.minutes(2)))
struct EditLoadingTests {
    @Test("--version, tools list and ask on the offline router never load libedit")
    func libeditIsNotLoadedAtStart() async throws {
        let folder = try TemporaryFolder()
        let config = Brigade.repositoryRoot + "/config.yaml"
        let runs: [([String], Int32)] = [
            (["--version"], 0),
            (["tools", "list", "--config", config], 0),
            // Outside a repository the brief's tools fail: exit 3, with no model and no line editing.
            (["ask", "--config", config, "brief me on this repository"], 3),
        ]
        for (arguments, status) in runs {
            let result = try await Brigade.run(arguments, in: folder.path, environment: CurlLoadingTests.loaderTrace)
            #expect(result.status == status, "\(arguments): \(result.standardError)")
            #expect(result.standardError.contains("file=libc.so.6"), "the loader trace is on")
            #expect(!result.standardError.contains("libedit"), "\(arguments)")
            #expect(!result.standardError.contains("libtinfo"), "\(arguments)")
        }
    }
}
