/// Splits a byte stream into lines (without the `\n`, a trailing `\r` dropped). A line longer than
/// `maxLineBytes` is not kept: it is reported once as oversized and skipped up to its end.
package struct LineSplitter: Sendable {
    package enum Piece: Sendable, Equatable {
        case line([UInt8])
        /// A line of `size` bytes or more was skipped.
        case oversized(size: Int)
    }

    package let maxLineBytes: Int
    private var buffer: [UInt8] = []
    private var skipped: Int?

    package init(maxLineBytes: Int) {
        self.maxLineBytes = maxLineBytes
    }

    /// The complete lines in `bytes` (with what was buffered before); keeps the incomplete rest.
    package mutating func append(_ bytes: some Sequence<UInt8>) -> [Piece] {
        var pieces: [Piece] = []
        for byte in bytes {
            if byte == UInt8(ascii: "\n") {
                if let size = skipped {
                    pieces.append(.oversized(size: size))
                    skipped = nil
                } else {
                    if buffer.last == UInt8(ascii: "\r") { buffer.removeLast() }
                    pieces.append(.line(buffer))
                }
                buffer.removeAll(keepingCapacity: true)
            } else if skipped != nil {
                skipped! += 1
            } else if buffer.count >= maxLineBytes {
                skipped = buffer.count + 1
                buffer = []
            } else {
                buffer.append(byte)
            }
        }
        return pieces
    }

    /// The last line when the input does not end with a line break (or the oversized one it was).
    package mutating func finish() -> Piece? {
        defer {
            buffer.removeAll(keepingCapacity: false)
            skipped = nil
        }
        if let size = skipped { return .oversized(size: size) }
        guard !buffer.isEmpty else { return nil }
        if buffer.last == UInt8(ascii: "\r") { buffer.removeLast() }
        return .line(buffer)
    }
}
