import Brigade
import Foundation

/// `brigade ask` on a terminal: a tool that needs confirmation asks on stderr and reads the answer
/// from stdin — y(es), n(o) or a(lways for this tool). Anything else, or end of input, denies.
struct LineApprovalPolicy: ApprovalPolicy {
    func decide(_ request: ApprovalRequest) async -> ApprovalDecision {
        let arguments = request.arguments.jsonString
        let shown = arguments.count > 200 ? String(arguments.prefix(197)) + "..." : arguments
        Terminal.standardError.write("? \(request.spec.name)(\(shown)) needs your approval — run it? [y]es / [n]o / [a]lways for this tool: ")
        // Blocking read on a thread of its own, so the cooperative pool keeps running the other calls.
        let answer: String? = await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: readLine(strippingNewline: true)) }
        }
        switch answer?.trimmingCharacters(in: .whitespaces).lowercased() {
        case "y", "yes": return .approve
        case "a", "always": return .approveAlways
        default:
            if answer == nil { Terminal.standardError.write("\n") }
            return .deny
        }
    }
}
