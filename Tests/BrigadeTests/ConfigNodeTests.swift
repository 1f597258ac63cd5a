import Testing

import Brigade
@testable import BrigadeCore
@testable import BrigadeWorkspace

private func root(_ text: String) throws -> ConfigNode {
    ConfigNode(try #require(try YAMLLoader.parse(text, file: "c.yaml")))
}

private func at(_ line: Int, _ column: Int) -> Brigade.SourceLocation {
    Brigade.SourceLocation(file: "c.yaml", line: line, column: column)
}

/// The `ConfigError` thrown by `body`; records an issue when nothing (or something else) is thrown.
/// Shared by the config and registry test suites.
func configError(_ body: () throws -> Void, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> ConfigError? {
    do {
        try body()
        Issue.record("expected a ConfigError", sourceLocation: sourceLocation)
        return nil
    } catch let error as ConfigError {
        return error
    } catch {
        Issue.record("expected a ConfigError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

@Suite("Config decoding helpers", .timeLimit(.minutes(1)))
struct ConfigNodeTests {
    @Test func unknownKeysSuggestTheClosestAllowedKey() throws {
        let node = try root("limits:\n  max_turn: 3\n")
        let limits = try node.mapping(allowedKeys: ["limits"]).required("limits")
        let error = configError { _ = try limits.mapping(allowedKeys: ["max_turns", "tool_timeout"]) }
        #expect(error?.message == "unknown key `max_turn` in `limits`; did you mean `max_turns`?")
        #expect(error?.location == at(2, 3))
        let far = configError { _ = try node.mapping(allowedKeys: ["model", "budget"]) }
        #expect(far?.message == "unknown key `limits` at the top level; expected one of `model`, `budget`")
        #expect(far?.location == at(1, 1))
    }

    @Test func typedGettersNameThePathAndPlaceTheValue() throws {
        let map = try root("limits:\n  max_turns: many\n  flag: yes\n  ratio: 1.5\n").mapping().required("limits").mapping()
        let turns = configError { _ = try map.required("max_turns").int() }
        #expect(turns?.message == "`limits.max_turns`: expected integer, got string `many`")
        #expect(turns?.location == at(2, 14))
        let flag = configError { _ = try map.required("flag").bool() }
        #expect(flag?.message.contains("YAML 1.2 booleans are `true` and `false`") == true)
        #expect(configError { _ = try map.required("ratio").int() }?.message == "`limits.ratio`: expected integer, got number `1.5`")
        #expect(configError { _ = try map.required("ratio").string() }?.location == at(4, 10))
        #expect(try map.required("ratio").double() == 1.5)
        #expect(configError { _ = try map.required("ratio").mapping() }?.message == "`limits.ratio`: expected mapping, got number `1.5`")
    }

    @Test func requiredAndOptionalValues() throws {
        let map = try root("present: 1\nempty:\n").mapping()
        #expect(map.optional("empty") == nil)
        #expect(map["empty"]?.isNull == true)
        #expect(map.optional("absent") == nil)
        #expect(configError { _ = try map.required("absent") }?.message == "missing required key `absent`")
        #expect(configError { _ = try map.required("absent") }?.location == at(1, 1))
        #expect(configError { _ = try map.required("empty") }?.message == "`empty` must have a value")
        #expect(try map.required("present").int(in: 1...3) == 1)
    }

    @Test func rangesAreChecked() throws {
        let map = try root("zero: 0\nbig: 500\nneg: -0.5\nfrac: 1.0\n").mapping()
        #expect(configError { _ = try map.required("zero").int(in: 1...Int.max) }?.message == "`zero`: must be at least 1, got 0")
        #expect(configError { _ = try map.required("big").int(in: 0...255) }?.message == "`big`: must be between 0 and 255, got 500")
        #expect(configError { _ = try map.required("neg").double(atLeast: 0) }?.message == "`neg`: must be at least 0.0, got -0.5")
        #expect(configError { _ = try map.required("frac").double(atLeast: 0, below: 1) }?.message.contains("less than 1.0") == true)
    }

    @Test func choicesSuggest() throws {
        let map = try root("routing: hybird\nprovider: openai\n").mapping()
        let error = configError { _ = try map.required("routing").choice(BrigadeConfig.Routing.self) }
        #expect(error?.message == "`routing`: unknown value `hybird`; did you mean `hybrid`?")
        #expect(error?.location == at(1, 10))
        #expect(try map.required("provider").choice(BrigadeConfig.Provider.self) == .openai)
    }

    @Test(arguments: [
        ("30", Duration.seconds(30)), ("0.5", .milliseconds(500)), ("250ms", .milliseconds(250)), ("5s", .seconds(5)),
        ("2m", .seconds(120)), ("1h", .seconds(3600)), ("1.5s", .milliseconds(1500)), ("0", .zero),
    ])
    func durations(text: String, expected: Duration) throws {
        #expect(try root("d: \(text)").mapping().required("d").duration() == expected)
    }

    @Test(arguments: ["5 s", "5sec", "s", "-1", "-2s", "1d", ".5s", "1.s", "true", "[1]", "1.2.3s", "\u{FF15}s", "5\u{FF53}", "\u{663}ms", "5s\u{301}"])
    func badDurations(text: String) throws {
        let node = try root("d: \(text)").mapping().required("d")
        let error = configError { _ = try node.duration() }
        #expect(error?.location == at(1, 4))
        #expect(error?.message.hasPrefix("`d`: ") == true)
    }

    @Test func positiveDurationsRejectZero() throws {
        let node = try root("d: 0s").mapping().required("d")
        #expect(configError { _ = try node.positiveDuration() }?.message == "`d`: must be greater than zero")
    }

    @Test func interpolation() throws {
        let env = ["HOST": "example.com", "EMPTY": "", "TOKEN": "s3cret"]
        let map = try root("""
            a: "https://${HOST}/x"
            b: ${MISSING:-fallback}
            c: pre-${EMPTY:-dflt}-post
            d: "$${HOST} and $$ and $5"
            e: Bearer ${TOKEN}${TOKEN}
            f: ${EMPTY}
            g: 8080
            """).mapping()
        #expect(try map.required("a").string(environment: env) == "https://example.com/x")
        #expect(try map.required("b").string(environment: env) == "fallback")
        #expect(try map.required("c").string(environment: env) == "pre-dflt-post")
        #expect(try map.required("d").string(environment: env) == "${HOST} and $$ and $5")
        #expect(try map.required("e").string(environment: env) == "Bearer s3crets3cret")
        #expect(try map.required("f").string(environment: env) == "")
        #expect(try map.required("g").text(environment: env) == "8080")
        #expect(try map.required("d").string() == "$${HOST} and $$ and $5")
    }

    @Test func unsetVariablesAreErrorsAtTheirPosition() throws {
        let map = try root("""
            url: https://${API_HOST}/v1
            quoted: "x ${NOPE}"
            multi: "line
              ${NOPE}"
            bad: ${1X}
            open: ${OPEN
            """).mapping()
        let plain = configError { _ = try map.required("url").string(environment: [:]) }
        #expect(plain?.location == at(1, 14))
        #expect(plain?.message == "`url`: environment variable `API_HOST` is not set (write `${API_HOST:-default}` to give a default)")
        #expect(configError { _ = try map.required("quoted").string(environment: [:]) }?.location == at(2, 12))
        // Not verbatim on one line: the scalar's own position.
        #expect(configError { _ = try map.required("multi").string(environment: [:]) }?.location == at(3, 8))
        #expect(configError { _ = try map.required("bad").string(environment: [:]) }?.message.contains("not a valid environment variable name") == true)
        #expect(configError { _ = try map.required("open").string(environment: [:]) }?.message.contains("unclosed `${`") == true)
    }

    @Test func sequencesExtendThePath() throws {
        let list = try root("argv: [git, {x: 1}]\n").mapping().required("argv").sequence()
        #expect(list.map(\.path) == ["argv[0]", "argv[1]"])
        #expect(configError { _ = try list[1].text() }?.message == "`argv[1]`: expected scalar, got mapping")
        #expect(configError { _ = try list[0].sequence() }?.message == "`argv[0]`: expected sequence, got string `git`")
    }

    /// Paths are joined only when read; every level (keys, indexes, a sequence inside a sequence)
    /// still shows in them.
    @Test func deepPathsJoinEveryStep() throws {
        let top = try root("tools:\n  - command: {argv: [[a], {b: {c: x}}]}\n").mapping()
        let tool = try top.required("tools").sequence()[0]
        let argv = try tool.mapping().required("command").mapping().required("argv").sequence()
        #expect(argv.map(\.path) == ["tools[0].command.argv[0]", "tools[0].command.argv[1]"])
        #expect(try argv[0].sequence().map(\.path) == ["tools[0].command.argv[0][0]"])
        let leaf = try argv[1].mapping().required("b").mapping().required("c")
        #expect(leaf.path == "tools[0].command.argv[1].b.c")
        #expect(configError { _ = try leaf.int() }?.message == "`tools[0].command.argv[1].b.c`: expected integer, got string `x`")
        #expect(configError { _ = try argv[1].mapping().required("d") }?.message == "missing required key `tools[0].command.argv[1].d`")
    }

    @Test func editDistance() {
        #expect(ConfigSuggestion.editDistance("kitten", "sitting") == 3)
        #expect(ConfigSuggestion.editDistance("", "abc") == 3)
        #expect(ConfigSuggestion.closest(to: "max_turn", among: ["max_turns", "max_calls_per_run"]) == "max_turns")
        #expect(ConfigSuggestion.closest(to: "Tools", among: ["tools", "routes"]) == "tools")
        #expect(ConfigSuggestion.closest(to: "xyz", among: ["tools", "routes"]) == nil)
        #expect(ConfigSuggestion.hint(for: "xyz", among: ["tools", "routes"]) == "; expected one of `tools`, `routes`")
        #expect(ConfigSuggestion.hint(for: "xyz", among: []) == "; there are none")
    }
}
