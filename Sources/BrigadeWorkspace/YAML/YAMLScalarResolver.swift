import BrigadeCore

/// YAML 1.2 core-schema resolution of scalars, and the standard `!!` tags.
enum YAMLScalarResolver {
    static let tagPrefix = "tag:yaml.org,2002:"

    /// The value of a plain (unquoted, untagged) scalar.
    static func resolvePlain(_ text: String) -> JSONValue {
        // Null, booleans and numbers each start with their own bytes (or are empty); anything else is
        // a string, without comparing it with each spelling.
        guard let first = text.utf8.first else { return .null }
        switch first {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."):
            return number(text) ?? .string(text)
        case UInt8(ascii: "~"), UInt8(ascii: "n"), UInt8(ascii: "N"):
            return isNull(text) ? .null : .string(text)
        case UInt8(ascii: "t"), UInt8(ascii: "T"), UInt8(ascii: "f"), UInt8(ascii: "F"):
            return bool(text).map { .bool($0) } ?? .string(text)
        default:
            return .string(text)
        }
    }

    /// The value of a scalar with an explicit tag, or `nil` with a reason when the tag does not apply.
    static func resolve(_ text: String, tag: String) -> Result<JSONValue, TagProblem> {
        switch tag {
        case "!": return .success(.string(text))
        case tagPrefix + "str": return .success(.string(text))
        case tagPrefix + "null":
            return isNull(text) ? .success(.null) : .failure(.mismatch("null"))
        case tagPrefix + "bool":
            return bool(text).map { .success(.bool($0)) } ?? .failure(.mismatch("boolean"))
        case tagPrefix + "int":
            if case .integer(let value)? = number(text) { return .success(.integer(value)) }
            return .failure(.mismatch("integer"))
        case tagPrefix + "float":
            switch number(text) {
            case .integer(let value)?: return .success(.number(Double(value)))
            case .number(let value)?: return .success(.number(value))
            default: return .failure(.mismatch("float"))
            }
        default:
            return .failure(.unsupported)
        }
    }

    enum TagProblem: Error {
        case mismatch(String)
        case unsupported
    }

    /// A readable form of a tag: `!!int` for the standard ones.
    static func displayName(ofTag tag: String) -> String {
        tag.hasPrefix(tagPrefix) ? "!!" + tag.dropFirst(tagPrefix.count) : tag
    }

    static func isNull(_ text: String) -> Bool {
        switch text {
        case "", "~", "null", "Null", "NULL": true
        default: false
        }
    }

    static func bool(_ text: String) -> Bool? {
        // Only 4 and 5 bytes long spellings: most strings starting with t or f are answered by their length.
        guard text.utf8.count == 4 || text.utf8.count == 5 else { return nil }
        return switch text {
        case "true", "True", "TRUE": true
        case "false", "False", "FALSE": false
        default: nil
        }
    }

    /// Core-schema integers (`12`, `-3`, `0x1F`, `0o17`) and floats (`1.5`, `1e3`, `.inf`, `.nan`).
    /// A decimal integer too large for `Int` becomes a float.
    static func number(_ text: String) -> JSONValue? {
        // The spellings of infinity and NaN start with a dot or a sign.
        if let first = text.utf8.first, first == UInt8(ascii: ".") || first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
            switch text {
            case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .number(.infinity)
            case "-.inf", "-.Inf", "-.INF": return .number(-.infinity)
            case ".nan", ".NaN", ".NAN": return .number(.nan)
            default: break
            }
        }
        var contiguous = text
        return contiguous.withUTF8 { number(text, bytes: $0) }
    }

    private static func number(_ text: String, bytes: UnsafeBufferPointer<UInt8>) -> JSONValue? {
        if bytes.count > 2, bytes[0] == UInt8(ascii: "0") {
            if bytes[1] == UInt8(ascii: "x") {
                guard bytes[2...].allSatisfy(isHexDigit) else { return nil }
                let digits = String(decoding: bytes[2...], as: UTF8.self)
                return Int(digits, radix: 16).map { .integer($0) } ?? Double(hex: digits).map { .number($0) }
            }
            if bytes[1] == UInt8(ascii: "o") {
                guard bytes[2...].allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "7") }) else { return nil }
                return Int(String(decoding: bytes[2...], as: UTF8.self), radix: 8).map { .integer($0) }
            }
        }
        switch scanDecimal(bytes) {
        case .integer:
            // Swift's Int parser rejects a leading "+", which the core schema allows.
            let unsigned = text.hasPrefix("+") ? String(text.dropFirst()) : text
            if let value = Int(unsigned) { return .integer(value) }
            return Double(unsigned).map { .number($0) }
        case .float:
            return Double(text).map { .number($0) }
        case .none:
            return nil
        }
    }

    private enum DecimalForm { case integer, float, none }

    /// Matches `[-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?`.
    private static func scanDecimal(_ bytes: UnsafeBufferPointer<UInt8>) -> DecimalForm {
        var index = 0
        func digits() -> Int {
            let start = index
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            return index - start
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") { index += 1 }
        var isFloat = false
        let whole = digits()
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            isFloat = true
            let fraction = digits()
            if whole == 0 && fraction == 0 { return .none }
        } else if whole == 0 {
            return .none
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            isFloat = true
            if index < bytes.count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") { index += 1 }
            if digits() == 0 { return .none }
        }
        guard index == bytes.count else { return .none }
        return isFloat ? .float : .integer
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "f"))
    }
}

extension Double {
    /// A hexadecimal integer too large for `Int`, as a double.
    fileprivate init?(hex digits: String) {
        var value = 0.0
        for character in digits {
            guard let digit = character.hexDigitValue else { return nil }
            value = value * 16 + Double(digit)
        }
        self = value
    }
}
