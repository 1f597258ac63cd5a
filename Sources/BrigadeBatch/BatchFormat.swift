/// Number and duration formatting for batch progress and summaries (locale-independent).
enum BatchFormat {

    /// `value` with exactly `digits` decimals, rounded half away from zero: `fixed(2.345, 1) == "2.3"`.
    static func fixed(_ value: Double, _ digits: Int) -> String {
        guard value.isFinite else { return value.isNaN ? "nan" : (value < 0 ? "-inf" : "inf") }
        var scale = 1
        for _ in 0..<max(digits, 0) { scale *= 10 }
        let scaled = (abs(value) * Double(scale)).rounded()
        guard scaled < 9e15 else { return "\(value)" }
        let units = Int(scaled)
        let sign = value < 0 && units != 0 ? "-" : ""
        guard digits > 0 else { return sign + String(units) }
        let fraction = String(units % scale)
        return sign + String(units / scale) + "." + String(repeating: "0", count: digits - fraction.count) + fraction
    }

    /// Dollars: two decimals from $1, four below ("$12.50", "$0.0042").
    static func usd(_ value: Double) -> String {
        "$" + fixed(value, abs(value) >= 1 || value == 0 ? 2 : 4)
    }

    /// A token count: "950", "12.3k", "4.5M".
    static func tokens(_ count: Int) -> String {
        switch abs(count) {
        case ..<1000: String(count)
        case ..<1_000_000: fixed(Double(count) / 1000, 1) + "k"
        default: fixed(Double(count) / 1_000_000, 1) + "M"
        }
    }

    /// A duration: "850ms", "12.3s", "4m05s", "1h02m".
    static func duration(_ duration: Duration) -> String {
        let total = duration.inSeconds
        if total < 1 { return fixed(total * 1000, 0) + "ms" }
        if total < 60 { return fixed(total, 1) + "s" }
        let whole = Int(total.rounded())
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : String(n) }
        if whole < 3600 { return "\(whole / 60)m\(two(whole % 60))s" }
        return "\(whole / 3600)h\(two(whole / 60 % 60))m"
    }

    /// A rate with one decimal below 100 and none above: "0.4", "12.3", "1250".
    static func rate(_ value: Double) -> String { fixed(value, value < 100 ? 1 : 0) }
}
