import BrigadeCore

/// What the map step made of one chunk.
public struct MapResult: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable {
        case ok
        case failed
    }

    public var chunkID: String
    public var position: String
    public var status: Status
    /// The worker's answer (with an output schema: the JSON text that conformed).
    public var output: String
    /// Why it failed (the run's stop, the schema violations after the retry).
    public var error: String?
    /// A hash of what produced it (prompt, brief, schema, chunk text): a re-run reuses it only when equal.
    public var fingerprint: String

    public init(chunkID: String, position: String, status: Status, output: String, error: String? = nil, fingerprint: String) {
        self.chunkID = chunkID
        self.position = position
        self.status = status
        self.output = output
        self.error = error
        self.fingerprint = fingerprint
    }

    var json: JSONValue {
        [
            "chunk": .string(chunkID), "position": .string(position), "status": .string(status.rawValue),
            "output": .string(output), "error": error.map { .string($0) } ?? .null, "fingerprint": .string(fingerprint),
        ]
    }

    init?(json: JSONValue) {
        guard let id = json["chunk"]?.stringValue, let status = json["status"]?.stringValue.flatMap(Status.init(rawValue:)),
            let fingerprint = json["fingerprint"]?.stringValue
        else { return nil }
        self.init(
            chunkID: id, position: json["position"]?.stringValue ?? "", status: status, output: json["output"]?.stringValue ?? "",
            error: json["error"]?.stringValue, fingerprint: fingerprint)
    }
}

/// A map-reduce that cannot start: empty input, a binary file, a chunk larger than the context, a
/// results file that cannot be written.
public struct MapError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// FNV-1a, 64 bits, as 16 hex digits.
func mapFingerprint(_ parts: [String]) -> String {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for part in parts {
        for byte in part.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        hash = (hash ^ 0xff) &* 0x100_0000_01b3
    }
    let hex = String(hash, radix: 16)
    return String(repeating: "0", count: 16 - hex.count) + hex
}
