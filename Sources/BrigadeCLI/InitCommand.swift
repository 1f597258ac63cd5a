import ArgumentParser
import Brigade
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write a starter project configuration in DIR/.brigade/: a commented config.yaml, an example tool and route.",
        discussion: "Never overwrites: when DIR/.brigade already exists nothing is written and the exit code is 2."
    )

    @Argument(help: "The project folder (default: the working directory).")
    var directory: String = "."

    func run() async throws {
        let fileManager = FileManager.default
        let root = URL(fileURLWithPath: directory, relativeTo: URL(fileURLWithPath: fileManager.currentDirectoryPath)).standardizedFileURL.path
        var isDirectory = false
        guard fileManager.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory else {
            throw CLIFailure.usage("\(root) is not a directory")
        }
        let target = root + "/.brigade"
        if fileManager.fileExists(atPath: target) {
            throw CLIFailure.usage("\(target) already exists; `brigade init` never overwrites (edit those files, or remove the folder first)")
        }
        do {
            for (relative, text) in StarterProject.files {
                let path = target + "/" + relative
                try fileManager.createDirectory(atPath: path.deletingLastPathComponent, withIntermediateDirectories: true)
                // withoutOverwriting: a file that appeared meanwhile is an error, never replaced.
                try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .withoutOverwriting)
            }
        } catch {
            throw CLIFailure.runtime("cannot write \(target): \(describeFileError(error))")
        }
        print("wrote \(target)/: " + StarterProject.files.map(\.0).joined(separator: ", "))
        print("check it with `brigade tools check`, see every setting with `brigade config show`")
    }
}

/// The files `brigade init` writes under `.brigade/`.
enum StarterProject {
    static let files: [(String, String)] = [("config.yaml", config), ("tools/git_status.yaml", tool), ("routes/git_status.yaml", route)]

    static let config = """
        # Brigade project configuration. It applies over the user's ($XDG_CONFIG_HOME/brigade/config.yaml)
        # and under $BRIGADE_CONFIG and --config; `brigade config show` prints every value and its origin.
        # Every key and its default: docs/configuration.md. Uncomment what you need.

        # model: fast                        # the default model: a profile of `models:` (or a mapping
        #                                    # with provider, model, base_url, api_key_env, price)
        # models:
        #   fast:
        #     provider: openai               # openai (and compatible servers) | anthropic
        #     model: gpt-4o-mini
        #     aliases: [mini]                # `brigade -m mini ask …`
        #   claude:
        #     provider: anthropic
        #     model: claude-sonnet-4-5
        #   local:
        #     provider: openai
        #     base_url: http://127.0.0.1:8080/v1
        #     model: llama
        #     api_key_env: null              # a local server needs no key
        #     price: {input_per_million: 0, output_per_million: 0}

        # budget:
        #   usd: 0.10                        # needs a priced model (price table or `price:`)
        #   wall_seconds: 120

        # limits:
        #   max_turns: 8
        #   tool_timeout: 30s

        # routing: hybrid                    # hybrid | model | static

        """

    static let tool = """
        # An example tool: a command run without a shell, in the working directory.
        # The format: docs/tools.md. A tool here replaces a user-level tool of the same name.
        name: git_status
        description: The short status of the git repository in the working directory (branch, changed and untracked files).
        kind: command
        parameters:
          type: object
          properties: {}
          additionalProperties: false
        command:
          argv: [git, status, --short, --branch]
        policy: {timeout: 10s, idempotent: true}

        """

    static let route = """
        # An example route: a frequent request answered by a fixed fan-out of tool calls, without a model.
        # The format: docs/routes.md. `brigade routes test "PROMPT"` shows whether a request matches.
        name: git_status
        description: The git status of the repository in the working directory.
        match:
          keywords:
            - "status|uncommitted|unstaged|untracked"
            - "git|repo|repository|working tree"
          examples:
            - what is the git status of this repo
          counterexamples:
            - what is a repository?
        calls:
          - label: status
            tool: git_status
        join: model

        """
}
