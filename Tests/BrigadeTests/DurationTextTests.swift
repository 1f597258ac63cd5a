import Testing
import Brigade
@testable import BrigadeCore

/// The shared duration formats of Duration+Seconds.swift: one per concept, used by every surface.
@Suite("Duration as text")
struct DurationTextTests {
    @Test func timingColumnsShowHundredthsBelowTenSecondsAndTenthsAbove() {
        #expect(Duration.milliseconds(250).secondsText == "0.25 s")
        #expect(Duration.milliseconds(9_994).secondsText == "9.99 s")
        #expect(Duration.milliseconds(12_345).secondsText == "12.3 s")
        #expect(Duration.seconds(2.0).secondsText == "2.00 s")
    }

    @Test func sentencesShowPlainSeconds() {
        #expect(Duration.seconds(2).plainSecondsText == "2")
        #expect(Duration.milliseconds(500).plainSecondsText == "0.5")
        #expect(Duration.milliseconds(1_250).plainSecondsText == "1.25")
        #expect(Duration.milliseconds(12_400).plainSecondsText == "12")
    }

    @Test func waitsShowMillisecondsBelowASecondAndPlainSecondsAbove() {
        #expect(Duration.milliseconds(10).waitText == "10 ms")
        #expect(Duration.milliseconds(999).waitText == "999 ms")
        #expect(Duration.seconds(1).waitText == "1 s")
        #expect(Duration.milliseconds(1_500).waitText == "1.5 s")
        #expect(Duration.seconds(30).waitText == "30 s")
    }
}
