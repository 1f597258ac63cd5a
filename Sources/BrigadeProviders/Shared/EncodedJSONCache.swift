import BrigadeCore
import Synchronization

/// The JSON of the last value encoded through it, kept for the next request while the value is the
/// same: a client sends the same system prompt (often a kilobyte or more) and the same tools with
/// every request, and encoding them piece by piece cost more than copying the bytes.
///
/// What "the same" means is the cache's `isSame`: equal text for a prompt (a pointer comparison when
/// the two strings share storage, as a batch's prompt does, a `memcmp` otherwise); the same array
/// storage for a tool list (the registry's one array, run after run; the cache keeps the array it
/// encoded, so its storage cannot be freed and reused by another). A value that is not the same is
/// encoded and kept in its place. ``ToolSpec``'s own cached description and schema are the other
/// half: a tool list that misses here is written from them.
final class EncodedJSONCache<Value: Sendable>: Sendable {
    private let last = Mutex<(value: Value, json: [UInt8])?>(nil)
    private let isSame: @Sendable (Value, Value) -> Bool
    private let encode: @Sendable (Value, inout [UInt8]) -> Void

    /// - Parameters:
    ///   - isSame: whether JSON kept for the first value is the JSON of the second.
    ///   - encode: appends a value's JSON.
    init(isSame: @escaping @Sendable (Value, Value) -> Bool, encode: @escaping @Sendable (Value, inout [UInt8]) -> Void) {
        self.isSame = isSame
        self.encode = encode
    }

    /// Appends the JSON of `value` to `out`: byte for byte what `encode` appends.
    func append(_ value: Value, to out: inout [UInt8]) {
        if let json = last.withLock({ kept in kept.flatMap { isSame($0.value, value) ? $0.json : nil } }) {
            out.append(contentsOf: json)
            return
        }
        var json: [UInt8] = []
        encode(value, &json)
        out.append(contentsOf: json)
        last.withLock { $0 = (value, json) }
    }
}

extension EncodedJSONCache where Value == String {
    /// A cache of a text as a JSON string literal, quotes included (`JSONValue.appendJSONString`).
    static func text() -> EncodedJSONCache<String> {
        EncodedJSONCache(isSame: { $0 == $1 }, encode: { JSONValue.appendJSONString($0, to: &$1) })
    }
}

extension Array {
    /// Whether the two arrays share one storage (and so hold the same elements).
    func sharesStorage(with other: [Element]) -> Bool {
        count == other.count && withUnsafeBufferPointer { mine in other.withUnsafeBufferPointer { $0.baseAddress == mine.baseAddress } }
    }
}
