#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension Duration {
    /// The duration in seconds, as a floating-point number (for JSON, budgets and messages).
    package var inSeconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// The duration as a number of seconds for sentences: `2`, `0.5`, `1.25`, `12` (hundredths below
    /// ten seconds, whole seconds above). "timed out after 2 s", `config show`'s `30s`.
    package var plainSecondsText: String {
        let hundredths = Int((inSeconds * 100).rounded())
        if hundredths >= 1000 { return String((hundredths + 50) / 100) }
        let whole = hundredths / 100, fraction = hundredths % 100
        if fraction == 0 { return String(whole) }
        if fraction % 10 == 0 { return "\(whole).\(fraction / 10)" }
        return "\(whole).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    /// The duration for timing columns: `0.25 s` below ten seconds, `12.3 s` above (`brigade ask`'s
    /// summary, `tools run`, `log show`, a route's join `duration`).
    ///
    /// The other forms, each pinned by its tests and docs: ``waitText`` (waits in messages), the
    /// chat's `Formatting.seconds` (with minutes and hours), the batch progress line's
    /// `BatchFormat.duration` and the trace axis's `TraceTimeline.seconds` (no spaces, compact).
    package var secondsText: String {
        let seconds = inSeconds
        return String(printf: seconds < 10 ? "%.2f s" : "%.1f s", seconds)
    }

    /// A wait or timeout in a sentence: `850 ms` below a second, else ``plainSecondsText`` and ` s`
    /// (`2 s`, `1.5 s`). "retrying in 2 s", "sent nothing for 30 s (idle timeout)".
    package var waitText: String {
        let seconds = inSeconds
        if seconds < 1 { return "\(Int((seconds * 1000).rounded())) ms" }
        return plainSecondsText + " s"
    }
}
