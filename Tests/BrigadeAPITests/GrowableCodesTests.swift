import Brigade
import Testing

/// Stop reasons and error codes are structs: an embedder's switch has a `default:`, so a code added in
/// a later release (made here with `init(rawValue:)`) compiles and lands there.
@Suite("Embedding: codes that may grow")
struct GrowableCodesTests {
    static func verdict(_ reason: StopReason) -> String {
        switch reason.code {
        case .finished: "answered"
        case .budgetUSD, .budgetTokens, .budgetTime, .budgetCalls, .maxTurns: "cut short"
        case .modelUnavailable, .noRoute, .routeFailed: "no answer"
        default: "other: \(reason)"
        }
    }

    @Test func stopReasonsSwitchOverTheirCodeAndAnUnknownCodeFallsToDefault() {
        #expect(Self.verdict(.finished) == "answered")
        #expect(Self.verdict(.budget(.tokens)) == "cut short")
        #expect(StopReason.budget(.tokens).code.rawValue == "budget_tokens")
        #expect(StopReason.budget(.time).budgetResource == .time)
        #expect(Self.verdict(.modelUnavailable("down")) == "no answer")
        #expect(StopReason.modelUnavailable("down").description == "the model is unavailable: down")
        let later = StopReason(code: StopReason.Code(rawValue: "paused"), detail: "waiting for a person")
        #expect(Self.verdict(later) == "other: paused: waiting for a person")
        #expect(RunResult(answer: "", stopReason: later).outcome == .failed)
    }

    @Test func modelAndBatchErrorCodesAreStableStrings() {
        #expect(ModelError(.rateLimited, "slow down").code.rawValue == "rate_limited")
        #expect(ModelError.Code(rawValue: "deadline_exceeded") == .deadlineExceeded)
        #expect(BatchError(.resultsInUse, "locked").code.description == "results_in_use")
    }
}
