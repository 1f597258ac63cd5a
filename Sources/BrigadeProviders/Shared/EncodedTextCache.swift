import BrigadeCore
import Synchronization

/// The JSON string literal of the last text encoded through it, kept for the next request: a client
/// sends the same system prompt (often a kilobyte or more) with every request, and escaping it byte
/// by byte cost more than copying it. Comparing two equal texts costs a pointer comparison when
/// they share storage (the prompt is one `String` for a whole batch), a `memcmp` otherwise.
final class EncodedTextCache: Sendable {
    private let last = Mutex<(text: String, json: [UInt8])?>(nil)

    init() {}

    /// Appends `text` as a JSON string literal, quotes included, to `out`: byte for byte
    /// `JSONValue.appendJSONString(text, to:)`.
    func appendJSONString(_ text: String, to out: inout [UInt8]) {
        if let json = last.withLock({ $0?.text == text ? $0?.json : nil }) {
            out.append(contentsOf: json)
            return
        }
        var json: [UInt8] = []
        json.reserveCapacity(text.utf8.count + 2)
        JSONValue.appendJSONString(text, to: &json)
        out.append(contentsOf: json)
        last.withLock { $0 = (text, json) }
    }
}
