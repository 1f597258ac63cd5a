/// Assembles Unicode scalars from UTF-8 bytes arriving one at a time (for libedit's read callback).
///
/// Invalid input never stops the reader: a bad lead byte, a missing continuation byte, an overlong
/// form or a surrogate yields U+FFFD, and the byte that broke a sequence starts the next one.
struct UTF8Assembler {
    enum Step: Equatable {
        case scalar(Unicode.Scalar)
        case needMore
    }

    private static let replacement: Unicode.Scalar = "\u{FFFD}"
    private var pending: [UInt8] = []
    private var expected = 0

    /// Feeds one byte; returns the scalars it completes (zero, one, or two when a broken sequence is
    /// flushed as U+FFFD and the byte completes a scalar of its own).
    mutating func feed(_ byte: UInt8) -> [Unicode.Scalar] {
        if expected > 0 {
            if byte & 0xC0 == 0x80 {
                pending.append(byte)
                if pending.count == expected { return [finish()] }
                return []
            }
            pending = []
            expected = 0
            return [Self.replacement] + feed(byte)
        }
        switch byte {
        case 0x00...0x7F:
            return [Unicode.Scalar(byte)]
        case 0xC2...0xDF:
            expected = 2
        case 0xE0...0xEF:
            expected = 3
        case 0xF0...0xF4:
            expected = 4
        default:
            return [Self.replacement]
        }
        pending = [byte]
        return []
    }

    private mutating func finish() -> Unicode.Scalar {
        defer {
            pending = []
            expected = 0
        }
        var value = UInt32(pending[0]) & (0xFF >> (expected + 1))
        for byte in pending.dropFirst() { value = value << 6 | UInt32(byte & 0x3F) }
        let minimum: UInt32 = expected == 2 ? 0x80 : expected == 3 ? 0x800 : 0x10000
        guard value >= minimum, let scalar = Unicode.Scalar(value) else { return Self.replacement }
        return scalar
    }
}
