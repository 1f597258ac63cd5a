import Foundation

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
    /// summary, `tools run`, a route's join `duration`).
    ///
    /// The chat (`Formatting.seconds`, with minutes and hours), the batch progress line
    /// (`BatchFormat.duration`, no spaces) and retry notes (milliseconds below a second) keep forms of
    /// their own that their tests and docs pin.
    package var secondsText: String {
        let seconds = inSeconds
        return String(format: seconds < 10 ? "%.2f s" : "%.1f s", seconds)
    }
}
