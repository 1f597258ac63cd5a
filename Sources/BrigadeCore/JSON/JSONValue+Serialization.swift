extension JSONValue {
    /// Compact JSON text, keys in their stored order.
    public var jsonString: String { String(decoding: jsonBytes, as: UTF8.self) }

    /// Compact JSON text as UTF-8 bytes (a request body), keys in their stored order.
    package var jsonBytes: [UInt8] {
        var out: [UInt8] = []
        write(to: &out, indent: nil, level: 0)
        return out
    }

    /// Appends the compact JSON text to `out` (``jsonBytes`` without a buffer of its own), for an
    /// encoder that writes a document piece by piece.
    package func appendJSON(to out: inout [UInt8]) {
        write(to: &out, indent: nil, level: 0)
    }

    /// Appends `text` as a JSON string literal, quotes included, to `out`.
    package static func appendJSONString(_ text: String, to out: inout [UInt8]) {
        writeString(text, to: &out)
    }

    /// Indented JSON text (two spaces), keys in their stored order.
    public var prettyJSONString: String {
        var out: [UInt8] = []
        write(to: &out, indent: "  ", level: 0)
        return String(decoding: out, as: UTF8.self)
    }

    /// Writes the text as bytes: appending bytes costs less than growing a `String` piece by piece.
    func write(to out: inout [UInt8], indent: StaticString?, level: Int) {
        switch self {
        case .null: Self.append("null", to: &out)
        case .bool(let b): Self.append(b ? "true" : "false", to: &out)
        case .integer(let i): out.append(contentsOf: String(i).utf8)
        case .number(let d):
            if d.isFinite {
                if d.rounded() == d, abs(d) < 1e15 { out.append(contentsOf: String(Int(d)).utf8) } else { out.append(contentsOf: "\(d)".utf8) }
            } else {
                Self.append("null", to: &out)
            }
        case .string(let s): Self.writeString(s, to: &out)
        case .array(let items):
            if items.isEmpty { Self.append("[]", to: &out); return }
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                if let indent { Self.newline(indent, level: level + 1, to: &out) }
                item.write(to: &out, indent: indent, level: level + 1)
            }
            if let indent { Self.newline(indent, level: level, to: &out) }
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            if object.isEmpty { Self.append("{}", to: &out); return }
            out.append(UInt8(ascii: "{"))
            var first = true
            for (key, value) in object {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                if let indent { Self.newline(indent, level: level + 1, to: &out) }
                Self.writeString(key, to: &out)
                Self.append(indent == nil ? ":" : ": ", to: &out)
                value.write(to: &out, indent: indent, level: level + 1)
            }
            if let indent { Self.newline(indent, level: level, to: &out) }
            out.append(UInt8(ascii: "}"))
        }
    }

    private static func append(_ text: StaticString, to out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    private static func newline(_ indent: StaticString, level: Int, to out: inout [UInt8]) {
        out.append(0x0A)
        for _ in 0..<level { append(indent, to: &out) }
    }

    /// `s` as a JSON string literal. The runs of bytes that need no escape are appended whole (the
    /// run store and the NDJSON output write a lot of long strings that have few or none).
    static func writeString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { bytes in
            var runStart = 0
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                // The common case first: a byte that is never escaped.
                if byte >= 0x20, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\"), byte != 0xE2 {
                    index += 1
                    continue
                }
                var length = 1
                let escape: StaticString?
                switch byte {
                case UInt8(ascii: "\""): escape = "\\\""
                case UInt8(ascii: "\\"): escape = "\\\\"
                case 0x0A: escape = "\\n"
                case 0x0D: escape = "\\r"
                case 0x09: escape = "\\t"
                case 0x08: escape = "\\b"
                case 0x0C: escape = "\\f"
                case 0..<0x20: escape = ""  // \u00XX, written below
                case 0xE2:
                    // U+2028 and U+2029 (E2 80 A8, E2 80 A9): line breaks to JavaScript.
                    if index + 2 < bytes.count, bytes[index + 1] == 0x80, bytes[index + 2] == 0xA8 || bytes[index + 2] == 0xA9 {
                        escape = bytes[index + 2] == 0xA8 ? "\\u2028" : "\\u2029"
                        length = 3
                    } else {
                        escape = nil
                    }
                default: escape = nil
                }
                guard let escape else {
                    index += 1
                    continue
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                if byte < 0x20, escape.utf8CodeUnitCount == 0 {
                    let hex: StaticString = "0123456789abcdef"
                    append("\\u00", to: &out)
                    out.append(hex.utf8Start[Int(byte >> 4)])
                    out.append(hex.utf8Start[Int(byte & 0x0F)])
                } else {
                    append(escape, to: &out)
                }
                index += length
                runStart = index
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<bytes.count]))
        }
        out.append(UInt8(ascii: "\""))
    }
}

extension JSONValue: CustomStringConvertible {
    public var description: String { jsonString }
}
