import Brigade
import BrigadeTesting
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

@testable import BrigadeCLI

/// `--svg` and `--html`: well-formed, self-contained, and nothing a model or a tool wrote becomes markup.
@Suite("Trace as SVG and HTML", .timeLimit(.minutes(1)))
struct TraceMarkupTests {
    static let attack = #"<script>alert(1)</script>"><img src=x onerror=alert(2)>]]>&amp;"#

    /// A run whose prompt, tool name, arguments and output all carry markup and control characters.
    func hostileTrace() -> RunTrace {
        let runID = RunID()
        let start = Date(timeIntervalSince1970: 0)
        let call = ToolCallInfo(id: "c1\u{1B}[31m", toolName: "x" + Self.attack, argumentsPreview: #"{"q":"\#(Self.attack)"}"#)
        let events = [
            TimedEvent(RunEvent(runID: runID, parentRunID: nil, event: .turnStarted(turn: 1)), at: start),
            TimedEvent(RunEvent(runID: runID, parentRunID: nil, event: .toolCallQueued(call)), at: start + 0.5),
            TimedEvent(RunEvent(runID: runID, parentRunID: nil, event: .toolCallFinished(ToolCallOutcome(
                call: call, status: .error, duration: .milliseconds(500), outputPreview: Self.attack + "\u{07}"))), at: start + 1),
            TimedEvent(RunEvent(runID: runID, parentRunID: nil, event: .finished(RunResult(answer: "", stopReason: .finished))), at: start + 1.5),
        ]
        let info = TraceRunInfo(id: runID, prompt: Self.attack, model: "m" + Self.attack, startedAt: start, state: .finished)
        return TraceBuilder.build(run: info, events: events)
    }

    @Test func modelTextIsEscapedEverywhere() {
        for text in [TraceSVG(trace: hostileTrace()).document, TracePage(trace: hostileTrace()).html] {
            #expect(!text.contains("<script>alert"))
            #expect(!text.contains("<img"))
            #expect(!text.contains("\u{1B}") && !text.contains("\u{07}"))
            #expect(text.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(2)&gt;]]&gt;&amp;amp;"))
        }
    }

    @Test func theSVGIsWellFormedXMLWithOneGroupPerRow() throws {
        let svg = TraceSVG(trace: TraceSample.trace()).document
        let counter = ElementCounter()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = counter
        #expect(parser.parse(), "\(parser.parserError.map { "\($0)" } ?? "")")
        #expect(counter.rowGroups == TraceSample.trace().spans.count)
        #expect(counter.titles == counter.rowGroups)
        let hostile = XMLParser(data: Data(TraceSVG(trace: hostileTrace()).document.utf8))
        #expect(hostile.parse())
    }

    @Test func thePageIsSelfContained() {
        let html = TracePage(trace: TraceSample.trace()).html
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("default-src 'none'"))
        for reference in ["src=", "href", "url(", "@import", "<link", "fetch(", "XMLHttpRequest", "innerHTML"] {
            #expect(!html.contains(reference), "the page must not contain \(reference)")
        }
        // The summary, the critical path's colour, the zoom and the folding script are all there.
        #expect(html.contains("speed-up 1.29×") && html.contains(TraceSVG.Colour.critical))
        #expect(html.contains("id=\"zoom-in\"") && html.contains("folded[i] = !folded[i]"))
    }

    /// 10,000 calls: past 2,000 spans the calls of one tool under one turn are one row (run, turn,
    /// model call and three tools: six rows).
    @Test func aHugeTraceStaysSmall() async {
        await offThePool {
            let runID = RunID()
            let start = Date(timeIntervalSince1970: 0)
            var events = [TimedEvent(RunEvent(runID: runID, parentRunID: nil, event: .turnStarted(turn: 1)), at: start)]
            for index in 0..<10_000 {
                let info = ToolCallInfo(id: "c\(index)", toolName: "tool\(index % 3)", argumentsPreview: "{}")
                events.append(TimedEvent(RunEvent(runID: runID, parentRunID: nil, event: .toolCallQueued(info)), at: start + 1))
                let outcome = ToolCallOutcome(call: info, status: .ok, duration: .milliseconds(100), outputPreview: "")
                events.append(TimedEvent(RunEvent(runID: runID, parentRunID: nil, event: .toolCallFinished(outcome)), at: start + 1 + Double(index) / 10_000))
            }
            let trace = TraceBuilder.build(run: TraceRunInfo(id: runID, prompt: "p", model: nil, startedAt: start, state: .finished), events: events)
            let svg = TraceSVG(trace: trace)
            #expect(svg.rows.shown.count == 6 && svg.rows.aggregated)
            #expect(svg.document.utf8.count < 20_000)
            #expect(svg.document.contains("tool0 ×3334"))
        }
    }
}

final class ElementCounter: NSObject, XMLParserDelegate {
    var rowGroups = 0
    var titles = 0

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        if name == "g", attributes["class"] == "row" { rowGroups += 1 }
        if name == "title" { titles += 1 }
    }
}
