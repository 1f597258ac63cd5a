import Brigade
import BrigadeTesting
import Foundation
import Synchronization
import Testing

/// `brigade trace --html` and `--svg` of a real run (a retried model call, parallel calls, a
/// sub-agent), drawn by a real renderer: headless Chromium for the page, rsvg-convert for the SVG.
/// The PNGs must show the bars' colours. Skipped only when neither renderer is installed and `CI` is
/// not set (scripts/install-deps installs rsvg-convert, and Chromium on Debian). With
/// `BRIGADE_TRACE_SCREENSHOT=FILE` the page's screenshot is kept (docs/trace-screenshot.png).
@Suite("brigade trace in a real renderer", .timeLimit(.minutes(3)))
struct TraceRenderTests {
    static let colours = (critical: "#c2255c", ok: "#4c6ef5", retry: "#f08c00", failed: "#e03131")

    @Test(.enabled(if: TraceRenderer.chromium != nil || TraceRenderer.rsvg != nil || ProcessInfo.processInfo.environment["CI"] != nil,
                   "no renderer: install chromium or librsvg2-bin (scripts/install-deps does)"))
    func thePageAndTheSVGOfARealRunShowTheBars() async throws {
        let folder = try TemporaryFolder()
        let runID = try await Self.realRun(in: folder)
        let page = try await Brigade.run(["trace", runID, "--html", "trace.html", "--svg", "trace.svg"], in: folder.path)
        #expect(page.status == 0, "\(page.standardError)")
        let html = try String(contentsOfFile: folder.path + "/trace.html", encoding: .utf8)
        #expect(html.contains("speed-up") && html.contains("researcher") && html.contains("<svg"))
        #expect(!html.contains("src=") && !html.contains("href") && !html.contains("url("), "the page loads nothing")
        // The model's `<script>` in a call's arguments is text, not markup.
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !html.contains("<script>alert"))

        if ProcessInfo.processInfo.environment["CI"] != nil {
            #expect(TraceRenderer.rsvg != nil, "CI must have rsvg-convert (scripts/install-deps installs librsvg2-bin)")
            let debian = (try? String(contentsOfFile: "/etc/os-release", encoding: .utf8))?.split(separator: "\n").contains("ID=debian") == true
            #expect(!debian || TraceRenderer.chromium != nil, "CI on Debian must have chromium (scripts/install-deps)")
        }
        if let chromium = TraceRenderer.chromium {
            let png = folder.path + "/page.png"
            let shot = try await Brigade.run([
                chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1240,560",
                "--screenshot=" + png, "file://" + folder.path + "/trace.html",
            ], in: folder.path, executable: chromium)
            #expect(FileManager.default.fileExists(atPath: png), "chromium wrote no screenshot: \(shot.standardError.suffix(600))")
            try await Self.expectBars(in: png, folder: folder.path)
            if let copy = ProcessInfo.processInfo.environment["BRIGADE_TRACE_SCREENSHOT"] {
                try? FileManager.default.removeItem(atPath: copy)
                try FileManager.default.copyItem(atPath: png, toPath: copy)
            }
        }
        if let rsvg = TraceRenderer.rsvg {
            let png = folder.path + "/svg.png"
            let render = try await Brigade.run([rsvg, folder.path + "/trace.svg", "-o", png], in: folder.path, executable: rsvg)
            #expect(render.status == 0, "\(render.standardError)")
            try await Self.expectBars(in: png, folder: folder.path)
        }
    }

    /// The critical path's, the other bars', the retried call's and the failed call's colours are all
    /// drawn (none of them is used for anything else in the picture).
    static func expectBars(in png: String, folder: String) async throws {
        let script = Brigade.repositoryRoot + "/scripts/png-colours"
        let count = try await Brigade.run(["python3", script, png, colours.critical, colours.ok, colours.retry, colours.failed], in: folder, executable: "/usr/bin/env")
        #expect(count.status == 0, "\(count.standardError)")
        let pixels = try JSONValue(parsing: count.standardOutput)
        for colour in [colours.critical, colours.ok, colours.retry, colours.failed] {
            // A bar is 14 px high and at least 1 px wide, however short the span (its length depends on the load).
            #expect((pixels[colour]?.intValue ?? 0) >= 14, "\(png): too few \(colour) pixels: \(count.standardOutput)")
        }
    }

    /// `brigade ask` against the fake model server: the first model call is rate limited once (the
    /// client retries), then asks for three `fetch` calls (one fails) and the `researcher` sub-agent
    /// (which fetches a page itself) at once.
    static func realRun(in folder: borrowing TemporaryFolder) async throws -> String {
        try await withFakeModelServer { server in
            let first = Mutex(true)
            server.respond { request in
                let usage = TokenUsage(inputTokens: 400, outputTokens: 40)
                if request.bodyText.contains("You research.") {
                    guard request.trailingToolResults.isEmpty else { return .text("Paris has 2.1 million people.", usage: usage) }
                    return .toolCalls([FakeToolCall(name: "fetch", json: ["page": "census", "seconds": "0.4"], id: "call_census")], usage: usage)
                }
                guard request.trailingToolResults.isEmpty else { return .text("Both pages fetched; Paris has 2.1 million people.", usage: usage) }
                if first.withLock({ value in defer { value = false }; return value }) { return .fault(.rateLimited(retryAfterMilliseconds: 150)) }
                return .toolCalls([
                    FakeToolCall(name: "fetch", json: ["page": "a", "seconds": "0.3"], id: "call_a"),
                    FakeToolCall(name: "fetch", json: ["page": "b <script>alert(1)</script>", "seconds": "0.9"], id: "call_b"),
                    FakeToolCall(name: "researcher", json: ["task": "population of Paris"], id: "call_r"),
                    FakeToolCall(name: "fetch", json: ["page": "missing", "seconds": "0.2"], id: "call_m"),
                ], text: "Fetching both pages and asking the researcher.", usage: usage)
            }
            try folder.writeFakeModelConfig(server)
            try folder.write("prompts/researcher.md", "You research.\n")
            try folder.write("tools/tools.yaml", """
                tools:
                  - name: fetch
                    description: Fetches a page.
                    kind: command
                    parameters: {type: object, properties: {page: {type: string}, seconds: {type: string}}, required: [page, seconds]}
                    command:
                      argv: [sh, -c, 'sleep "$1"; if [ "$0" = missing ]; then echo "no such page" >&2; exit 1; fi; echo "page $0 fetched"', "{{page}}", "{{seconds}}"]
                  - name: researcher
                    description: Looks a fact up.
                    kind: agent
                    agent: {prompt: researcher.md, tools: [fetch], limits: {max_turns: 3}}
                """)
            let ask = try await Brigade.run(["ask", "fetch a and b, and how many people live in Paris?"], in: folder.path, environment: ["FAKE_KEY": "k"])
            #expect(ask.status == 0, "\(ask.standardError)")
            let log = try ndjsonLines(try await Brigade.run(["log", "--json"], in: folder.path).standardOutput)
            return try #require(log.first { $0["parent_run_id"] == .null }?["id"]?.stringValue)
        }
    }
}

/// The renderers on PATH.
enum TraceRenderer {
    static let chromium = find(["chromium", "chromium-browser", "google-chrome"])
    static let rsvg = find(["rsvg-convert"])

    static func find(_ names: [String]) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for name in names {
            for directory in path.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(directory)/\(name)") {
                return "\(directory)/\(name)"
            }
        }
        return nil
    }
}
