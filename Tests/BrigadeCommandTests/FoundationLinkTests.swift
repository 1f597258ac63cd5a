import Brigade
import BrigadeTesting
import Testing

/// `brigade` does not link full Foundation, CoreFoundation or ICU: its modules and the vendored
/// Mustache use FoundationEssentials (docs/benchmarks.md, "Memory (peak RSS)", third pass). A file
/// that imports full Foundation again makes the linker load libFoundation.so, which glibc's
/// `LD_DEBUG=files` names.
@Suite("brigade links no full Foundation", .timeLimit(.minutes(2)))
struct FoundationLinkTests {
    @Test("brigade --version and tools list load neither libFoundation nor ICU")
    func noFullFoundationIsLoaded() async throws {
        let folder = try TemporaryFolder()
        let config = Brigade.repositoryRoot + "/config.yaml"
        for arguments in [["--version"], ["tools", "list", "--config", config]] {
            let result = try await Brigade.run(arguments, in: folder.path, environment: CurlLoadingTests.loaderTrace)
            #expect(result.status == 0, "\(result.standardError)")
            #expect(result.standardError.contains("file=libFoundationEssentials.so") || result.standardError.contains("file=libc.so.6"))
            #expect(!result.standardError.contains("file=libFoundation.so"), "\(arguments)")
            #expect(!result.standardError.contains("ICU"), "\(arguments)")
        }
    }
}
