import BrigadeTesting
import CurlHTTP
import Synchronization
import Testing
import Brigade
@testable import BrigadeCore
@testable import BrigadeWorkspace

/// Join rules (pure) and judged variants of a sub-agent over the fake model server.
@Suite("Join rules and the judge", .timeLimit(.minutes(2)))
struct JoinTests {
    @Test func fieldsMergeByPrecedenceAndListsAreDeduplicated() {
        let branches = [
            JoinBranch(label: "flights", answer: #"{"arrival": "10:40", "gate": "B", "hotels": [{"name": "Roma"}, {"name": "Termini"}]}"#),
            JoinBranch(label: "hotels", answer: #"{"arrival": "14:05", "terminal": "2", "hotels": [{"name": "Termini", "stars": 3}]}"#),
            JoinBranch(label: "events", answer: nil, failure: "timed out"),
        ]
        let policy = JoinPolicy(precedence: ["arrival": ["hotels", "flights"]], dedupKeys: ["name"], compare: ["arrival"])
        #expect(JoinRules.disagree(branches, policy: policy))
        let outcome = JoinRules.merge(branches, policy: policy)
        let merged = try? JSONValue(parsing: outcome.answer)
        #expect(merged?["arrival"]?.stringValue == "14:05")
        #expect(merged?["gate"]?.stringValue == "B")
        #expect(merged?["terminal"]?.stringValue == "2")
        #expect(merged?["hotels"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["Roma", "Termini"])
        #expect(outcome.reason.contains("arrival ← hotels"))
        #expect(outcome.text.hasSuffix("; events failed: timed out]"))
    }

    /// A conflict keeps each branch's whole value (for events); the note shows each on one line, cut at 80 characters.
    @Test func aConflictsNoteShowsLongValuesCut() {
        let long = String(repeating: "x", count: 200)
        let branches = [JoinBranch(label: "a", answer: #"{"text": "\#(long)"}"#), JoinBranch(label: "b", answer: #"{"text": "short\nline"}"#)]
        let outcome = JoinRules.merge(branches, policy: JoinPolicy())
        #expect(outcome.conflicts.first?.values.first?.value == "\"\(long)\"")
        #expect(outcome.note.hasSuffix(#"; conflicts: text: a "\#(String(repeating: "x", count: 79))…, b "short\nline" → a]"#))
    }

    @Test func theComparedFieldsDecideWhetherBranchesDisagree() {
        let same = [JoinBranch(label: "a", answer: #"{"arrival": "10:40", "note": "x"}"#), JoinBranch(label: "b", answer: #"{"arrival": "10:40", "note": "y"}"#)]
        #expect(!JoinRules.disagree(same, policy: JoinPolicy(compare: ["arrival"])))
        #expect(JoinRules.disagree(same, policy: JoinPolicy()))
        let spaced = [JoinBranch(label: "a", answer: "Lands at  10:40."), JoinBranch(label: "b", answer: "lands at 10:40.\n")]
        #expect(!JoinRules.disagree(spaced, policy: JoinPolicy()))
    }

    static let checker = """
        name: arrival_check
        description: Checks when the flight lands.
        kind: agent
        agent:
          prompt: check.md
          variants: 3
          join: {judge: judge.md}
        """

    /// Two variants say 10:40, one says 14:05 (the planted contradiction). The variants' requests are
    /// held until all three are at the server (so they ran at once); the judge is asked once, and
    /// the tool result carries its winner and reason.
    @Test func theJudgeResolvesAPlantedContradictionAndTheAnswerCitesTheWinner() async throws {
        try await withFakeModelServer { server in
            let checks = Mutex(0)
            server.respond { request in
                switch request.systemText {
                case "You check.":
                    let n = checks.withLock { count -> Int in count += 1; return count }
                    return FakeTurn.text(n == 2 ? "The flight lands at 14:05." : "The flight lands at 10:40.").gathering(3)
                case "You judge.":
                    let prompt = request.lastUserText ?? ""
                    let winner = JoinTests.label(before: "The flight lands at 10:40.", in: prompt) ?? "none"
                    return .text(#"{"winner": "\#(winner)", "reason": "two of three checks say 10:40, which fits the 12:00 check-in"}"#)
                default:
                    if request.trailingToolResults.isEmpty { return .toolCalls([FakeToolCall(name: "arrival_check", json: ["task": "FR 1234 on 12 May"])]) }
                    return .text(request.trailingToolResults[0].content)
                }
            }
            let http = HTTPClient()
            let registry = try WorkerTestSupport.registry(Self.checker, prompts: ["check.md": "You check.", "judge.md": "You judge."])
            let agent = WorkerTestSupport.agent(registry, WorkerTestSupport.client(server, http))
            let recorder = EventRecorder()
            let result = try await agent.run("When do I land?", options: RunOptions(), onEvent: recorder.record)

            #expect(server.requests.filter { $0.systemText == "You check." }.count == 3)
            // The decision is an event of the run, under the sub-agent's call.
            let decisions = recorder.events.compactMap { if case .joinDecided(let decision) = $0 { decision } else { nil } }
            #expect(decisions.count == 1 && decisions.first?.outcome.judged == true && decisions.first?.branches == ["variant_1", "variant_2", "variant_3"])
            #expect(decisions.first.map { decision in recorder.finishedCalls.contains { $0.call.id == decision.callID } } == true)
            let judged = server.requests.filter { $0.systemText == "You judge." }
            #expect(judged.count == 1)
            #expect(["variant_1", "variant_2", "variant_3"].allSatisfy { judged.first?.lastUserText?.contains("### \($0)") == true })
            #expect(result.answer.hasPrefix("The flight lands at 10:40.\n\n[join: variant_"))
            #expect(result.answer.contains(" won (judge) — two of three checks say 10:40, which fits the 12:00 check-in]"))
            await http.shutdown()
        }
    }

    @Test func agreeingVariantsNeedNoJudge() async throws {
        try await withFakeModelServer { server in
            server.respond { request in
                switch request.systemText {
                case "You check.": return FakeTurn.text("Lands at 10:40.").gathering(3)
                case "You judge.": return .text("should not be asked")
                default:
                    if request.trailingToolResults.isEmpty { return .toolCalls([FakeToolCall(name: "arrival_check", json: ["task": "FR 1234"])]) }
                    return .text(request.trailingToolResults[0].content)
                }
            }
            let http = HTTPClient()
            let registry = try WorkerTestSupport.registry(Self.checker, prompts: ["check.md": "You check.", "judge.md": "You judge."])
            let agent = WorkerTestSupport.agent(registry, WorkerTestSupport.client(server, http), limits: Budget.Limits(usd: 1))
            let result = try await agent.run("When do I land?", options: RunOptions())
            #expect(server.requests.allSatisfy { $0.systemText != "You judge." })
            #expect(result.answer == "Lands at 10:40.\n\n[join: all 3 branches agreed]")
            await http.shutdown()
        }
    }

    @Test func aFailingJudgeFallsBackToTheRulesAndSaysSo() async throws {
        try await withFakeModelServer { server in
            let checks = Mutex(0)
            server.respond { request in
                switch request.systemText {
                case "You check.":
                    let n = checks.withLock { count -> Int in count += 1; return count }
                    return .text("Answer \(n).")
                case "You judge.": return .text("I cannot decide.")
                default:
                    if request.trailingToolResults.isEmpty { return .toolCalls([FakeToolCall(name: "arrival_check", json: ["task": "FR 1234"])]) }
                    return .text(request.trailingToolResults[0].content)
                }
            }
            let http = HTTPClient()
            let registry = try WorkerTestSupport.registry(Self.checker, prompts: ["check.md": "You check.", "judge.md": "You judge."])
            let agent = WorkerTestSupport.agent(registry, WorkerTestSupport.client(server, http))
            let result = try await agent.run("When do I land?", options: RunOptions())
            // The rules decided, and the answer names what the branches disagreed on.
            #expect(result.answer.contains(
                "[join: the judge failed (its answer is not a JSON object: `I cannot decide.`), so the rules decided: variant_1 won — the first branch that answered; conflicts: answer: variant_1 \"Answer "))
            #expect(result.answer.hasSuffix(" → variant_1]"))
            let note = result.answer.split(separator: "\n").last.map(String.init) ?? ""
            #expect((1...3).allSatisfy { note.contains("variant_\($0) \"Answer ") && note.contains("\"Answer \($0).\"") })
            await http.shutdown()
        }
    }

    /// The label of the `### label` section whose text is `answer`.
    static func label(before answer: String, in prompt: String) -> String? {
        var current: String?
        for line in prompt.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("### ") { current = String(line.dropFirst(4)) } else if line == answer { return current }
        }
        return nil
    }
}
