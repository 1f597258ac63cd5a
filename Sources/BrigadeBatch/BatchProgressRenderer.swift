/// Turns progress snapshots into text: a one-line bar for a terminal, or a plain line for logs.
/// Pure functions; the caller decides where and how often to print.
package enum BatchProgressRenderer {
    /// A bar that fits `width` columns, for redrawing in place on a terminal (no newline, no escapes):
    /// `[#######.............] 450/1000  45%  12.3/s  $1.23/$5.00  ETA 44.0s`
    ///
    /// - Parameters:
    ///   - progress: The snapshot.
    ///   - width: The terminal's columns. The bar shrinks to fit (never below 10 cells), and the text
    ///     after it is cut when even that does not fit.
    public static func bar(_ progress: BatchProgress, width: Int = 80) -> String {
        let percent = Int((progress.fractionDone * 100).rounded(.down))
        var parts = ["\(progress.done)/\(progress.total)", "\(percent)%", BatchFormat.rate(progress.itemsPerSecond) + "/s"]
        parts += spendParts(progress, separator: "/")
        if progress.failed > 0 { parts.append("\(progress.failed) failed") }
        parts.append("ETA " + (progress.estimatedTimeRemaining.map(BatchFormat.duration) ?? "?"))
        let tail = " " + parts.joined(separator: "  ")
        let cells = max(10, width - tail.count - 2)
        let filled = min(cells, Int((progress.fractionDone * Double(cells)).rounded(.down)))
        let bar = "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: cells - filled) + "]"
        return String((bar + tail).prefix(max(width, 12)))
    }

    /// A plain line for logs and non-terminal output:
    /// `batch 450/1000 (45%): 440 ok, 5 failed, 5 skipped, 4 running; 12.3 items/s; $1.23 of $5.00; ETA 44.0s`
    public static func line(_ progress: BatchProgress) -> String {
        let percent = Int((progress.fractionDone * 100).rounded(.down))
        var text = "batch \(progress.done)/\(progress.total) (\(percent)%): \(progress.ok) ok, \(progress.failed) failed, "
            + "\(progress.skipped) skipped, \(progress.inFlight) running; \(BatchFormat.rate(progress.itemsPerSecond)) items/s"
        let spend = spendParts(progress, separator: " of ")
        if !spend.isEmpty { text += "; " + spend.joined(separator: "; ") }
        text += "; ETA " + (progress.estimatedTimeRemaining.map(BatchFormat.duration) ?? "unknown")
        return text
    }

    /// Spend against the budget: dollars when limited or spent, tokens when limited.
    static func spendParts(_ progress: BatchProgress, separator: String) -> [String] {
        var parts: [String] = []
        let spent = progress.spent
        let budget = progress.budget
        if let limit = budget.usd {
            parts.append(BatchFormat.usd(spent.usd) + separator + BatchFormat.usd(limit))
        } else if spent.usd > 0 {
            parts.append(BatchFormat.usd(spent.usd))
        }
        if let limit = budget.inputTokens {
            parts.append(BatchFormat.tokens(spent.inputTokens) + separator + BatchFormat.tokens(limit) + " in")
        }
        if let limit = budget.outputTokens {
            parts.append(BatchFormat.tokens(spent.outputTokens) + separator + BatchFormat.tokens(limit) + " out")
        }
        return parts
    }
}
