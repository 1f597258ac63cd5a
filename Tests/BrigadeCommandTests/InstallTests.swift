import Foundation
import Subprocess
import Testing
import BrigadeTesting

/// `scripts/install` into a temporary prefix, then the installed `brigade` run in another git
/// repository from a folder with no configuration: the shipped defaults come from the user layer.
/// The install reuses the binary the tests built (`--binary`); without it the script makes a release build.
@Suite("scripts/install", .timeLimit(.minutes(2)))
struct InstallTests {
    @Test func theInstalledBinaryBriefsAnyRepositoryFromAFolderWithNoConfig() async throws {
        let scratch = try TemporaryFolder()
        let prefix = scratch.path + "/prefix"
        let environment: [Environment.Key: String?] = [
            "HOME": scratch.path + "/home", "XDG_CONFIG_HOME": scratch.path + "/xdg",
            "OPENAI_API_KEY": nil, "ANTHROPIC_API_KEY": nil, "BRIGADE_CONFIG": nil,
        ]
        let install = try await Subprocess.run(
            .path(.init(Brigade.repositoryRoot + "/scripts/install")), arguments: ["--binary", Brigade.path, prefix],
            environment: .inherit.updating(environment), workingDirectory: .init(scratch.path),
            output: .string(limit: 1 << 20), error: .string(limit: 1 << 20))
        #expect(install.terminationStatus.isSuccess, "\(install.standardError)")
        for file in ["bin/brigade", "share/bash-completion/completions/brigade", "share/zsh/site-functions/_brigade", "share/fish/vendor_completions.d/brigade.fish"] {
            #expect(FileManager.default.fileExists(atPath: prefix + "/" + file), "\(file)")
        }
        let completion = try String(contentsOfFile: prefix + "/share/bash-completion/completions/brigade", encoding: .utf8)
        #expect(completion.contains("config") && completion.contains("init"))

        let repo = scratch.path + "/elsewhere/repo"
        try FileManager.default.createDirectory(atPath: repo, withIntermediateDirectories: true)
        try "print('hi')\n".write(toFile: repo + "/main.py", atomically: true, encoding: .utf8)
        try await git(["init", "-q"], in: repo)
        try await git(["add", "."], in: repo)
        try await git(["commit", "-q", "-m", "first"], in: repo)
        try await git(["commit", "-q", "--allow-empty", "-m", "the latest commit, quoted by the brief"], in: repo)

        let ask = try await Subprocess.run(
            .path(.init(prefix + "/bin/brigade")), arguments: ["ask", "brief me on this repository"],
            environment: .inherit.updating(environment), workingDirectory: .init(repo),
            output: .string(limit: 1 << 20), error: .string(limit: 1 << 20))
        let output = ask.standardOutput
        #expect(ask.terminationStatus.isSuccess, "\(ask.standardError)")
        #expect(output.contains("the latest commit, quoted by the brief"), "\(output)")
        #expect(output.contains("Python"), "\(output)")
        #expect((ask.standardError).contains("route repo_brief"))
    }
}
