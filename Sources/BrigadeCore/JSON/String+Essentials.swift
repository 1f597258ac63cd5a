#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// What the package used from full Foundation on strings and paths, written on the standard library and
// FoundationEssentials: nothing in `brigade` links full Foundation (CoreFoundation, ICU), about 3 MB of
// memory per run (docs/benchmarks.md, "Memory (peak RSS)", third pass).

extension StringProtocol {
    /// `trimmingCharacters(in: .whitespaces)`: spaces and tabs (Unicode category Zs, U+0009 and, as
    /// Foundation has it, U+200B) off both ends.
    package func trimmingWhitespace() -> String { trimming(Self.isWhitespace) }

    /// `trimmingCharacters(in: .whitespacesAndNewlines)`: also line and paragraph breaks (U+000A–U+000D,
    /// U+0085, U+2028, U+2029).
    package func trimmingWhitespaceAndNewlines() -> String {
        trimming { Self.isWhitespace($0) || Self.isNewline($0) }
    }

    private func trimming(_ drop: (Unicode.Scalar) -> Bool) -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !drop($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !drop($0) })!
        var kept = String.UnicodeScalarView()
        kept.append(contentsOf: scalars[first...last])
        return String(kept)
    }

    private static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "\t" || scalar == "\u{200B}" || scalar.properties.generalCategory == .spaceSeparator
    }

    private static func isNewline(_ scalar: Unicode.Scalar) -> Bool {
        (0x0A...0x0D).contains(scalar.value) || scalar.value == 0x85 || scalar.value == 0x2028 || scalar.value == 0x2029
    }

    /// The first occurrence of `needle`, comparing ASCII letters without case (what
    /// `range(of:options: .caseInsensitive)` did for the ASCII tags and words the package looks for).
    package func rangeIgnoringASCIICase(of needle: String, from start: String.Index? = nil) -> Range<String.Index>? {
        let bytes = utf8
        let pattern = Array(needle.utf8).map(Self.lowercasedASCII)
        guard let first = pattern.first else { return nil }
        var index = start ?? bytes.startIndex
        while index < bytes.endIndex {
            if Self.lowercasedASCII(bytes[index]) == first {
                var probe = bytes.index(after: index)
                var matched = 1
                while matched < pattern.count, probe < bytes.endIndex, Self.lowercasedASCII(bytes[probe]) == pattern[matched] {
                    probe = bytes.index(after: probe)
                    matched += 1
                }
                if matched == pattern.count { return index..<probe }
            }
            index = bytes.index(after: index)
        }
        return nil
    }

    fileprivate static func lowercasedASCII(_ byte: UInt8) -> UInt8 {
        (0x41...0x5A).contains(byte) ? byte + 0x20 : byte
    }
}

extension String {
    /// ``StringProtocol/rangeIgnoringASCIICase(of:from:)`` for a `String`, searching its UTF-8 bytes
    /// in place: the generic version, called from another module, steps through the text with a
    /// protocol call per byte (a model call checks its response's content type with it).
    package func rangeIgnoringASCIICase(of needle: String, from start: String.Index? = nil) -> Range<String.Index>? {
        let startOffset = start.map { utf8.distance(from: utf8.startIndex, to: $0) } ?? 0
        var text = self
        var needle = needle
        let found = text.withUTF8 { bytes in
            needle.withUTF8 { pattern in Self.firstOffsets(ignoringASCIICaseOf: pattern, in: bytes, from: startOffset) }
        }
        guard let found else { return nil }
        return utf8.index(utf8.startIndex, offsetBy: found.lowerBound)..<utf8.index(utf8.startIndex, offsetBy: found.upperBound)
    }

    private static func firstOffsets(
        ignoringASCIICaseOf pattern: UnsafeBufferPointer<UInt8>, in bytes: UnsafeBufferPointer<UInt8>, from start: Int
    ) -> Range<Int>? {
        guard let first = pattern.first.map(lowercasedASCII), pattern.count <= bytes.count else { return nil }
        var index = Swift.max(start, 0)
        while index <= bytes.count - pattern.count {
            if lowercasedASCII(bytes[index]) == first {
                var matched = 1
                while matched < pattern.count, lowercasedASCII(bytes[index + matched]) == lowercasedASCII(pattern[matched]) {
                    matched += 1
                }
                if matched == pattern.count { return index..<index + matched }
            }
            index += 1
        }
        return nil
    }
}

extension String {
    /// C `printf` formatting of numbers ("%.2f", "%g", "%04ld"): what `String(format:)` gave for them.
    package init(printf format: String, _ arguments: any CVarArg...) {
        var buffer = [CChar](repeating: 0, count: 128)
        let needed = Int(withVaList(arguments) { vsnprintf(&buffer, buffer.count, format, $0) })
        if needed >= buffer.count {
            buffer = [CChar](repeating: 0, count: needed + 1)
            _ = withVaList(arguments) { vsnprintf(&buffer, buffer.count, format, $0) }
        }
        self = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The path without its last component, as `NSString.deletingLastPathComponent` gave it: "/a/b/c" → "/a/b",
    /// "/a" → "/", "a" → "", trailing slashes ignored.
    package var deletingLastPathComponent: String {
        var path = Substring(self)
        while path.count > 1, path.hasSuffix("/") { path = path.dropLast() }
        guard let slash = path.lastIndex(of: "/") else { return "" }
        if slash == path.startIndex { return "/" }
        var parent = path[..<slash]
        while parent.count > 1, parent.hasSuffix("/") { parent = parent.dropLast() }
        return String(parent)
    }

    /// Space-padded (or cut) to `length` characters, as `padding(toLength:withPad: " ", startingAt: 0)` for
    /// the ASCII names the CLI lines up.
    package func padded(toLength length: Int) -> String {
        count >= length ? String(prefix(length)) : self + String(repeating: " ", count: length - count)
    }
}

/// The reason a file operation failed, for messages ("Permission denied"): the POSIX reason of a
/// `CocoaError` from FileManager or `write(to:)`, otherwise the error as written.
package func describeFileError(_ error: any Error) -> String {
    if let posix = error as? POSIXError { return String(cString: strerror(posix.code.rawValue)) }
    if let cocoa = error as? CocoaError, let posix = cocoa.underlying as? POSIXError {
        return String(cString: strerror(posix.code.rawValue))
    }
    return "\(error)"
}
