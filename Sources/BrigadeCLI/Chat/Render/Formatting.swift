import Brigade
/// Numbers as the REPL shows them: seconds, dollars, token counts. No locale: the same everywhere.
enum Formatting {
    /// `0.82 s`, `2.9 s`, `42.0 s`, `1m 40s`, `1h 02m`.
    static func seconds(_ duration: Duration) -> String {
        let value = max(0, duration.inSeconds)
        if value < 1 { return fixed(value, decimals: 2) + " s" }
        if value < 100 { return fixed(value, decimals: 1) + " s" }
        let whole = Int(value.rounded())
        if whole < 3600 { return "\(whole / 60)m " + twoDigits(whole % 60) + "s" }
        return "\(whole / 3600)h " + twoDigits(whole / 60 % 60) + "m"
    }

    /// `$0.0021` below a dollar, `$1.25` above.
    static func usd(_ value: Double) -> String {
        "$" + fixed(value, decimals: abs(value) < 1 ? 4 : 2)
    }

    /// `1,234,567`.
    static func count(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { result.append(",") }
            result.append(digit)
        }
        return value < 0 ? "-" + result : result
    }

    /// `value` rounded to `decimals` places, e.g. `fixed(2.345, decimals: 1)` is `2.3`.
    static func fixed(_ value: Double, decimals: Int) -> String {
        guard value.isFinite else { return value.isNaN ? "nan" : (value < 0 ? "-inf" : "inf") }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        guard scaled < 9e15 else { return value < 0 ? "-\(abs(value))" : "\(value)" }
        let units = Int(scaled)
        let whole = units / Int(scale)
        let fraction = units % Int(scale)
        var text = "\(whole)"
        if decimals > 0 {
            let digits = String(fraction)
            text += "." + String(repeating: "0", count: decimals - digits.count) + digits
        }
        return value < 0 && units != 0 ? "-" + text : text
    }

    private static func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
