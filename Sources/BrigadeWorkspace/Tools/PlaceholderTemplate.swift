import BrigadeCore

/// A string with `{{name}}` placeholders, as used in argv elements, URLs, headers and body strings.
///
/// A placeholder is `{{`, optional spaces, a name (`[A-Za-z_][A-Za-z0-9_]*`), optional spaces, `}}`.
/// Text outside placeholders is literal; a `{{` that does not open a valid placeholder is an error, so
/// typos are caught when the registry loads rather than sent verbatim to a program.
struct PlaceholderTemplate: Sendable, Hashable {
    enum Segment: Sendable, Hashable {
        case literal(String)
        case placeholder(String)
    }

    let segments: [Segment]

    /// Parses `text`; throws a message such as "unclosed placeholder `{{name`".
    init(parsing text: String) throws(TemplateSyntaxError) {
        var segments: [Segment] = []
        var rest = Substring(text)
        while let open = rest.rangeOfDoubled(UInt8(ascii: "{")) {
            if open.lowerBound > rest.startIndex { segments.append(.literal(String(rest[..<open.lowerBound]))) }
            let afterOpen = rest[open.upperBound...]
            guard let close = afterOpen.rangeOfDoubled(UInt8(ascii: "}")) else {
                throw TemplateSyntaxError(message: "unclosed placeholder `\(rest[open.lowerBound...].prefix(30))`")
            }
            let name = afterOpen[..<close.lowerBound].trimmingSpaces
            guard Self.isValidName(name) else {
                throw TemplateSyntaxError(
                    message: "invalid placeholder `\(rest[open.lowerBound..<close.upperBound])`: expected `{{name}}` with a parameter name"
                )
            }
            segments.append(.placeholder(String(name)))
            rest = afterOpen[close.upperBound...]
        }
        if !rest.isEmpty { segments.append(.literal(String(rest))) }
        self.segments = segments
    }

    static func isValidName(_ name: Substring) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || first.isASCIILetter else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || $0.isASCIILetter || ("0"..."9").contains($0) }
    }

    /// Names of the placeholders, in order of appearance (repeats included).
    var placeholderNames: [String] {
        segments.compactMap { if case .placeholder(let name) = $0 { name } else { nil } }
    }

    /// The name when the whole template is exactly one placeholder (`{{url}}`), else `nil`.
    var solePlaceholderName: String? {
        if segments.count == 1, case .placeholder(let name) = segments[0] { name } else { nil }
    }

    var hasPlaceholders: Bool { segments.contains { if case .placeholder = $0 { true } else { false } } }

    /// The text with every placeholder replaced by `replacement(name)`; `nil` when any replacement is `nil`.
    func render(_ replacement: (String) -> String?) -> String? {
        var out = ""
        for segment in segments {
            switch segment {
            case .literal(let text): out += text
            case .placeholder(let name):
                guard let value = replacement(name) else { return nil }
                out += value
            }
        }
        return out
    }
}

struct TemplateSyntaxError: Error {
    var message: String
}

extension Substring {
    var trimmingSpaces: Substring {
        var result = self
        while result.first == " " { result.removeFirst() }
        while result.last == " " { result.removeLast() }
        return result
    }
}

extension Unicode.Scalar {
    var isASCIILetter: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) }
}

extension JSONValue {
    /// The text an argument contributes to an argv element or a URL: strings as they are, numbers and
    /// booleans in JSON notation, arrays and objects as compact JSON; `nil` for `null` (treated as absent).
    var templateText: String? {
        switch self {
        case .null: nil
        case .string(let s): s
        case .bool, .integer, .number, .array, .object: jsonString
        }
    }
}

extension StringProtocol {
    /// Whether the ASCII bytes `first` and `second` occur one after the other (`{{`, `${`), found on
    /// the UTF-8 bytes: Foundation's `contains(_:)` goes through `NSString` and costs far more.
    func containsBytePair(_ first: UInt8, _ second: UInt8) -> Bool {
        var previous: UInt8 = 0
        for byte in utf8 {
            if byte == second && previous == first { return true }
            previous = byte
        }
        return false
    }
}

extension Substring {
    /// The first two consecutive `byte`s (an ASCII character such as `{`), found on the UTF-8 bytes:
    /// the registry parses thousands of templates, and Foundation's `range(of:)` costs far more.
    func rangeOfDoubled(_ byte: UInt8) -> Range<Index>? {
        let bytes = utf8
        var index = bytes.startIndex
        while index < bytes.endIndex {
            guard let found = bytes[index...].firstIndex(of: byte) else { return nil }
            let next = bytes.index(after: found)
            guard next < bytes.endIndex else { return nil }
            if bytes[next] == byte { return found..<bytes.index(after: next) }
            index = next
        }
        return nil
    }
}
