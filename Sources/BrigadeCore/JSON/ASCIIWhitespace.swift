/// Trimming of ASCII whitespace on bytes, the common case of trimming untrusted text before parsing
/// it, without Foundation's Unicode-aware (and allocating) `trimmingCharacters(in:)`.
package enum ASCIIWhitespace {
    /// `bytes` without leading and trailing ASCII whitespace (space, tab, LF, VT, FF, CR), or `nil`
    /// when a non-ASCII byte borders it (it may start Unicode whitespace: let Foundation decide).
    package static func trimmed(_ bytes: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8>? {
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || (0x09...0x0D).contains(byte) }
        var start = 0
        var end = bytes.count
        while start < end, isSpace(bytes[start]) { start += 1 }
        while end > start, isSpace(bytes[end - 1]) { end -= 1 }
        if start < end, bytes[start] >= 0x80 || bytes[end - 1] >= 0x80 { return nil }
        return UnsafeBufferPointer(rebasing: bytes[start..<end])
    }
}
