import Testing
import Brigade
@testable import BrigadeCore
@testable import BrigadeWorkspace

@Suite("Router matching", .timeLimit(.minutes(1)))
struct RouterMatchingTests {
    static func briefRoute(priority: Int = 0) throws -> Route {
        Route(
            name: "repo_brief",
            keywords: [KeywordRule("brief|overview|summary|summarize"), KeywordRule("repo|repository|codebase|project")],
            patterns: [try RoutePattern(#"top (?<count>\d+) (largest|biggest) files"#)],
            priority: priority,
            calls: [RouteCall(label: "largest", tool: "largest_files", arguments: ["count": "{{count|5}}"])],
            join: .model
        )
    }

    static let healthRoute = Route(
        name: "health",
        keywords: [KeywordRule("health|healthy|status"), KeywordRule("system|machine|server|host")],
        calls: [RouteCall(label: "disk", tool: "disk_usage")],
        join: .model
    )

    @Test func keywordsMatchWholeWordsCaseInsensitively() throws {
        let routes = RouteSet([try Self.briefRoute(), Self.healthRoute])
        #expect(routes.match("Brief me on this repository")?.route.name == "repo_brief")
        #expect(routes.match("Give me an OVERVIEW of the codebase, please.")?.route.name == "repo_brief")
        #expect(routes.match("how healthy is this machine?")?.route.name == "health")
    }

    @Test func nearMissesDoNotMatch() throws {
        let routes = RouteSet([try Self.briefRoute(), Self.healthRoute])
        // one keyword group missing
        #expect(routes.match("brief me on the weather") == nil)
        // substring of a word is not a word
        #expect(routes.match("debriefing of the reporter") == nil)
        #expect(routes.match("systematic health insurance") == nil)
        #expect(routes.match("") == nil)
    }

    @Test func patternCapturesNamedGroups() throws {
        let routes = RouteSet([try Self.briefRoute()])
        let match = try #require(routes.match("show me the top 12 largest files"))
        #expect(match.captures == ["count": "12"])
        #expect(match.strength == .pattern)
        #expect(match.reason.contains("count=\"12\""))
    }

    @Test func patternBeatsKeywordsThenPriorityThenOrder() throws {
        let keywordOnly = Route(name: "kw", keywords: [KeywordRule("largest")], priority: 100, calls: [], join: .model)
        let routes = RouteSet([keywordOnly, try Self.briefRoute()])
        #expect(routes.match("top 3 largest files")?.route.name == "repo_brief")

        let a = Route(name: "a", keywords: [KeywordRule("disk")], calls: [], join: .model)
        let b = Route(name: "b", keywords: [KeywordRule("disk")], priority: 5, calls: [], join: .model)
        let c = Route(name: "c", keywords: [KeywordRule("disk")], calls: [], join: .model)
        #expect(RouteSet([a, b, c]).match("disk")?.route.name == "b")
        #expect(RouteSet([a, c]).match("disk")?.route.name == "a")
    }

    @Test func evaluationExplainsMisses() throws {
        let routes = RouteSet([try Self.briefRoute(), Self.healthRoute])
        let evaluations = routes.evaluate("brief me on the weather")
        #expect(evaluations.allSatisfy { $0.match == nil })
        let brief = try #require(evaluations.first { $0.route.name == "repo_brief" })
        #expect(brief.reasons.joined().contains("missing keyword 'repo|repository|codebase|project' (found: brief)"))
    }

    @Test func multiWordAlternatives() {
        let route = Route(name: "hc", keywords: [KeywordRule("health check|checkup")], calls: [], join: .model)
        #expect(RouteSet([route]).match("run a health check now") != nil)
        #expect(RouteSet([route]).match("check the health") == nil)
    }

    @Test func namedGroupsAreFoundInPatternSource() throws {
        #expect(RoutePattern.namedGroups(in: #"(?<a>x)(?:y)(?P<b>z)(?<=w)\(?<no>"#) == ["a", "b"])
        #expect(throws: ConfigError.self) { try RoutePattern("(unclosed") }
    }
}

@Suite("Route argument templates", .timeLimit(.minutes(1)))
struct RouteArgumentTests {
    let schema: JSONValue = [
        "type": "object",
        "properties": ["count": ["type": "integer"], "name": ["type": "string"], "deep": ["type": "boolean"]],
    ]

    @Test func capturesAreTypedBySchema() {
        let rendered = RouteArguments.render(["count": "{{n}}", "name": "{{who}}", "deep": "{{d|false}}"], captures: ["n": "7", "who": "007"], schema: schema)
        #expect(rendered == ["count": 7, "name": "007", "deep": false])
    }

    @Test func missingCaptureUsesDefaultOrLeavesKeyOut() {
        #expect(RouteArguments.render(["count": "{{n|5}}"], captures: [:], schema: schema) == ["count": 5])
        #expect(RouteArguments.render(["count": "{{n}}", "name": "x"], captures: [:], schema: schema) == ["name": "x"])
    }

    @Test func embeddedPlaceholdersAreTextual() {
        let rendered = RouteArguments.render(["name": "repo-{{n|main}}-x", "count": 3], captures: ["n": "dev"], schema: schema)
        #expect(rendered == ["name": "repo-dev-x", "count": 3])
        #expect(RouteArguments.placeholderNames(in: ["a": "{{x}} and {{y|2}}", "b": ["{{z}}"]]) == ["x", "y", "z"])
    }

    @Test func unparsableNumberStaysStringSoValidationReportsIt() {
        #expect(RouteArguments.render(["count": "{{n}}"], captures: ["n": "many"], schema: schema) == ["count": "many"])
    }
}

@Suite("Join templates", .timeLimit(.minutes(1)))
struct JoinTemplateTests {
    @Test func rendersDottedNamesWithoutEscaping() throws {
        let join = try JoinTemplate(text: "Commits:\n{{calls.commits.output}}\n{{^complete}}Missing: {{#missing}}{{label}} {{/missing}}{{/complete}}", file: "prompts/x.mustache")
        let text = join.render([
            "calls": ["commits": ["output": "a <b> & c", "ok": true]],
            "complete": false,
            "missing": [["label": "todos"]],
        ])
        #expect(text == "Commits:\na <b> & c\nMissing: todos ")
    }

    @Test func syntaxErrorNamesFileLineAndColumn() {
        do {
            _ = try JoinTemplate(text: "line one\n{{#calls.x}}\nnever closed\n", file: "prompts/bad.mustache")
            Issue.record("expected an error")
        } catch {
            #expect(error.location?.file == "prompts/bad.mustache")
            #expect((error.location?.line ?? 0) >= 2)
            #expect(error.message.contains("never closed"))
        }
    }

    @Test func referencedCallsCarryLocations() throws {
        let join = try JoinTemplate(text: "a\n  {{calls.one.output}} {{#calls.two}}x{{/calls.two}}", file: "f")
        let refs = join.referencedCalls()
        #expect(refs.map(\.label) == ["one", "two", "two"])
        #expect(refs[0].location.line == 2 && refs[0].location.column == 3)
    }
}

@Suite("Route scores", .timeLimit(.minutes(1)))
struct RouteScoreTests {
    static let disk = Route(
        name: "disk",
        keywords: [KeywordRule("disk|storage|space")],
        vocabulary: ["free", "left", "running out", "machine"],
        negative: ["why", "how do i"],
        calls: [RouteCall(label: "disk", tool: "disk_usage")],
        join: .model
    )

    @Test func stemsAndFillerWords() {
        #expect(["files", "running", "summarized", "summarize", "processes", "committed", "caches", "status", "this"].map(RouteText.stem)
            == ["file", "run", "summariz", "summariz", "process", "commit", "cach", "status", "this"])
        let text = RouteText("Can you show me the 10 largest files, please?")
        #expect(text.words.filter(\.isContent).map(\.text) == ["largest", "files"])
    }

    @Test func coverageCountsContentWordsTheRouteAccountsFor() throws {
        let score = try #require(RouteSet([Self.disk]).evaluate("am I running out of disk space on the build server?").first?.score)
        // "out" is filler, but the route names it ("running out"), so it counts
        #expect(score.covered == ["running", "out", "disk", "space"])
        #expect(score.missed == ["build", "server"])
        #expect(score.coverage == 4.0 / 6)
        #expect(score.intent == 1)
    }

    @Test func hybridIsStrictStaticIsLoose() {
        let routes = RouteSet([Self.disk])
        // 3 of 5 content words: below the hybrid threshold (0.8), above the static one (0.4).
        let prompt = "is there free disk space on the build server?"
        #expect(routes.match(prompt, mode: .hybrid) == nil)
        #expect(routes.match(prompt, mode: .static)?.score == 0.6)
        #expect(routes.match("is there free disk space left on this machine", mode: .hybrid)?.route.name == "disk")
        // custom thresholds
        var strict = Self.disk
        strict.thresholds = RouteThresholds(hybrid: 1, static: 0.7)
        #expect(RouteSet([strict]).match(prompt, mode: .static) == nil)
        #expect(RouteSet([strict]).match("free disk space", mode: .hybrid) != nil)
    }

    @Test func negativeWordsVetoInEveryModeAsWritten() throws {
        let routes = RouteSet([Self.disk])
        #expect(routes.match("how do I get free disk space", mode: .static) == nil)
        #expect(routes.match("why is the disk space left so low", mode: .static) == nil)
        let evaluation = try #require(routes.evaluate("how do I get free disk space, and why", mode: .hybrid).first)
        #expect(evaluation.reasons.contains("negative words 'how do i', 'why'"))
        // as written: "whys" is not "why"
        #expect(routes.match("disk space whys", mode: .static) != nil)
    }

    @Test func staticNeedsOneKeywordEntryHybridNeedsAll() throws {
        let routes = RouteSet([try RouterMatchingTests.briefRoute()])
        #expect(routes.match("repository overview", mode: .hybrid)?.route.name == "repo_brief")
        #expect(routes.match("the repository", mode: .hybrid) == nil)
        // one of two entries: intent 0.5 × coverage 1.0
        #expect(routes.match("the repository", mode: .static)?.score == 0.5)
        #expect(routes.match("weather", mode: .static) == nil)
    }

    @Test func higherScoreWinsBeforePriority() {
        let narrow = Route(name: "narrow", keywords: [KeywordRule("disk")], vocabulary: ["space"], calls: [], join: .model)
        let wide = Route(name: "wide", keywords: [KeywordRule("disk")], priority: 9, calls: [], join: .model)
        #expect(RouteSet([wide, narrow]).match("disk space")?.route.name == "narrow")
        #expect(RouteSet([narrow, wide]).match("disk")?.route.name == "wide")
    }

    @Test func fillerWordsCountOnlyWhenTheRouteNamesThem() throws {
        let about = Route(name: "about", keywords: [KeywordRule("about")], vocabulary: ["disk"], calls: [], join: .model)
        // "about" is filler, but this route names it: covered content
        #expect(RouteSet([about]).match("what about disks?", mode: .hybrid)?.score == 1)
        let weather = try #require(RouteSet([about]).evaluate("what about the weather", mode: .hybrid).first?.score)
        #expect(weather.covered == ["about"] && weather.missed == ["weather"])
        #expect(RouteSet([Self.disk]).match("show me all of it", mode: .static) == nil)
        #expect(RouteScore.format(0.755) == "0.76" && RouteScore.format(1) == "1.00" && RouteScore.format(0.05) == "0.05")
    }
}
