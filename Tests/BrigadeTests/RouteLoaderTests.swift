import Foundation
import Testing
import Brigade
@testable import BrigadeCore
@testable import BrigadeWorkspace

@Suite("Route loading", .timeLimit(.minutes(1)))
struct RouteLoaderTests {
    let tools: [String: ToolSpec] = [
        "largest_files": ToolSpec(name: "largest_files", description: "d", parameters: [
            "type": "object", "properties": ["count": ["type": "integer", "minimum": 1]], "additionalProperties": false,
        ]),
        "disk_usage": ToolSpec(name: "disk_usage", description: "d"),
        "needs_path": ToolSpec(name: "needs_path", description: "d", parameters: [
            "type": "object", "properties": ["path": ["type": "string"]], "required": ["path"],
        ]),
    ]

    func withPrompts(_ files: [String: String], _ body: (String) throws -> Void) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("routes-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (name, text) in files { try text.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8) }
        try body(dir)
    }

    func parse(_ yaml: String, prompts: String) throws(ConfigError) -> RouteSet {
        try RouteLoader.parse(yaml, file: "/r/routes/x.yaml", tools: tools, promptsDirectory: prompts)
    }

    @Test func loadsARouteWithTemplateJoin() throws {
        try withPrompts(["j.mustache": "{{calls.big.output}} / {{calls.disk_usage.output}}"]) { prompts in
            let routes = try parse("""
                name: brief
                match:
                  keywords: ["brief|overview", "repo|repository"]
                  patterns: ['top (?<n>\\d+) files']
                  examples: [brief me on this repository, show top 3 files]
                  counterexamples: [brief me on the weather]
                calls:
                  - {label: big, tool: largest_files, arguments: {count: "{{n|5}}"}}
                  - tool: disk_usage
                requires: [big]
                join: j.mustache
                """, prompts: prompts)
            let route = try #require(routes.route(named: "brief"))
            #expect(route.calls.map(\.label) == ["big", "disk_usage"])
            #expect(route.requires == ["big"])
            #expect(routes.match("show top 3 files")?.captures == ["n": "3"])
        }
    }

    @Test func loadsVocabularyNegativeWordsAndThresholds() throws {
        let routes = try parse("""
            name: disk
            match:
              keywords: ["disk|space"]
              vocabulary: [free, "running out"]
              negative: [why, "how do i"]
              threshold: {hybrid: 0.9, static: 0.3}
              examples: [am I running out of disk space]
              counterexamples: [why is the disk full, disk space on the build server]
            calls: [{tool: disk_usage}]
            join: model
            """, prompts: "/nonexistent")
        let route = try #require(routes.route(named: "disk"))
        #expect(route.vocabulary == ["free", "running out"])
        #expect(route.negative == ["why", "how do i"])
        #expect(route.thresholds == RouteThresholds(hybrid: 0.9, static: 0.3))
        #expect(routes.match("disk space on the build server", mode: .static) != nil)
    }

    func expectError(_ yaml: String, prompts: String = "/nonexistent", line: Int, contains text: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        do {
            _ = try parse(yaml, prompts: prompts)
            Issue.record("expected an error containing \(text)", sourceLocation: sourceLocation)
        } catch {
            #expect(error.location?.line == line, "\(error)", sourceLocation: sourceLocation)
            #expect(error.message.contains(text), "\(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func unknownToolIsRejectedWithSuggestion() {
        expectError("name: r\nmatch: {keywords: [disk]}\ncalls:\n  - tool: disk_usag\njoin: model\n", line: 4, contains: "unknown tool `disk_usag`; did you mean `disk_usage`?")
    }

    @Test func argumentsThatCannotSatisfyTheSchemaAreRejected() {
        expectError("name: r\nmatch: {keywords: [x]}\ncalls:\n  - tool: largest_files\n    arguments: {count: 0}\njoin: model\n", line: 5, contains: "minimum")
        expectError("name: r\nmatch: {keywords: [x]}\ncalls:\n  - tool: needs_path\njoin: model\n", line: 4, contains: "needs arguments")
        expectError("name: r\nmatch: {keywords: [x]}\ncalls:\n  - tool: largest_files\n    arguments: {count: \"{{n}}\"}\njoin: model\n", line: 5, contains: "not a named group")
        // a keyword match gives no captures: a required argument filled only from a capture cannot be satisfied
        expectError("name: r\nmatch: {keywords: [x], patterns: ['in (?<p>\\\\S+)']}\ncalls:\n  - tool: needs_path\n    arguments: {path: \"{{p}}\"}\njoin: model\n", line: 5, contains: "when matched by keywords")
    }

    @Test func templateErrorsNameTheTemplateFile() throws {
        try withPrompts(["bad.mustache": "ok\n{{#calls.disk_usage}}\n", "ref.mustache": "a\nb {{calls.nope.output}}"]) { prompts in
            do {
                _ = try parse("name: r\nmatch: {keywords: [x]}\ncalls: [{tool: disk_usage}]\njoin: bad.mustache\n", prompts: prompts)
                Issue.record("expected a template error")
            } catch let error as ConfigError {
                #expect(error.location?.file == prompts + "/bad.mustache")
            }
            do {
                _ = try parse("name: r\nmatch: {keywords: [x]}\ncalls: [{tool: disk_usage}]\njoin: ref.mustache\n", prompts: prompts)
                Issue.record("expected a missing-call error")
            } catch let error as ConfigError {
                #expect(error.location == SourceLocation(file: prompts + "/ref.mustache", line: 2, column: 3))
                #expect(error.message.contains("`calls.nope`"))
            }
        }
        expectError("name: r\nmatch: {keywords: [x]}\ncalls: [{tool: disk_usage}]\njoin: missing.mustache\n", line: 4, contains: "does not exist")
    }

    @Test func examplesAndCounterexamplesAreChecked() {
        expectError("name: r\nmatch:\n  keywords: [disk]\n  examples: [show memory]\ncalls: [{tool: disk_usage}]\njoin: model\n", line: 4, contains: "does not match")
        expectError("name: r\nmatch:\n  keywords: [disk]\n  counterexamples: [disk please]\ncalls: [{tool: disk_usage}]\njoin: model\n", line: 4, contains: "matches route")
    }

    @Test func structuralErrors() {
        expectError("name: r\nmatch: {keywords: [x]}\ncalls: [{tool: disk_usage}]\njoin: model\nprioritty: 3\n", line: 5, contains: "did you mean `priority`")
        expectError("name: r\nmatch: {}\ncalls: [{tool: disk_usage}]\njoin: model\n", line: 2, contains: "needs `keywords` or `patterns`")
        expectError("name: r\nmatch: {keywords: [x], threshold: {hybrid: 1.5}}\ncalls: [{tool: disk_usage}]\njoin: model\n", line: 2, contains: "from 0 to 1")
        expectError("name: r\nmatch: {keywords: [x], threshold: {hybird: 0.5}}\ncalls: [{tool: disk_usage}]\njoin: model\n", line: 2, contains: "did you mean `hybrid`")
        expectError("name: r\nmatch: {patterns: ['(unclosed']}\ncalls: [{tool: disk_usage}]\njoin: model\n", line: 2, contains: "invalid regular expression")
        expectError("name: r\nmatch: {keywords: [x]}\ncalls: [{tool: disk_usage}, {tool: disk_usage}]\njoin: model\n", line: 3, contains: "duplicate call label")
        expectError("name: r\nmatch: {keywords: [x]}\ncalls: [{tool: disk_usage}]\nrequires: [disk]\njoin: model\n", line: 4, contains: "not a call of this route")
        expectError("routes:\n  - name: r\n    match: {keywords: [x]}\n    calls: [{tool: disk_usage}]\n    join: model\n  - name: r\n    match: {keywords: [y]}\n    calls: [{tool: disk_usage}]\n    join: model\n", line: 6, contains: "duplicate route name")
    }
}
