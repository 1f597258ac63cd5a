/// `${NAME}` and `${NAME:-default}` substitution from an environment; `$${` writes a literal `${`.
///
/// As in the shell, `:-` takes the default when the variable is unset or empty. The default is
/// literal text (no nested `${…}`).
enum ConfigInterpolation {
    struct Failure: Error {
        var message: String
        /// Offset of the offending `${` in the text, in Unicode scalars.
        var offset: Int
    }

    /// The values of the variables `text` names in `${…}` (not `$${`), set and non-empty: the secrets a
    /// header like `Bearer ${API_KEY}` carries, for ``SecretRedactor``.
    static func referencedValues(_ text: String, environment: [String: String]) -> [String] {
        // Most values name no variable: answered by one pass over the bytes.
        guard text.containsBytePair(UInt8(ascii: "$"), UInt8(ascii: "{")) else { return [] }
        var values: [String] = []
        var rest = Substring(text)
        while let open = rest.firstRange(of: "${") {
            let escaped = open.lowerBound > rest.startIndex && rest[rest.index(before: open.lowerBound)] == "$"
            rest = rest[open.upperBound...]
            guard !escaped, let close = rest.firstIndex(of: "}") else { continue }
            let body = rest[..<close]
            let name = body.firstRange(of: ":-").map { String(body[..<$0.lowerBound]) } ?? String(body)
            if let value = environment[name], !value.isEmpty { values.append(value) }
            rest = rest[rest.index(after: close)...]
        }
        return values
    }

    static func expand(_ text: String, environment: [String: String]) -> Result<String, Failure> {
        // Most values hold no `$`: answered on the bytes, before any copy.
        guard text.utf8.contains(UInt8(ascii: "$")) else { return .success(text) }
        let scalars = Array(text.unicodeScalars)
        var output = String.UnicodeScalarView()
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            guard scalar == "$", index + 1 < scalars.count else {
                output.append(scalar)
                index += 1
                continue
            }
            if scalars[index + 1] == "$", index + 2 < scalars.count, scalars[index + 2] == "{" {
                output.append(contentsOf: "${".unicodeScalars)
                index += 3
                continue
            }
            guard scalars[index + 1] == "{" else {
                output.append(scalar)
                index += 1
                continue
            }
            guard let close = scalars[(index + 2)...].firstIndex(of: "}") else {
                return .failure(Failure(message: "unclosed `${` (write `$${` for a literal `${`)", offset: index))
            }
            let body = String(String.UnicodeScalarView(scalars[(index + 2)..<close]))
            var name = body
            var fallback: String?
            if let separator = body.firstRange(of: ":-") {
                name = String(body[..<separator.lowerBound])
                fallback = String(body[separator.upperBound...])
            }
            guard isVariableName(name) else {
                return .failure(Failure(message: "`${\(body)}`: `\(name)` is not a valid environment variable name", offset: index))
            }
            if let value = environment[name], !(value.isEmpty && fallback != nil) {
                output.append(contentsOf: value.unicodeScalars)
            } else if let fallback {
                output.append(contentsOf: fallback.unicodeScalars)
            } else {
                return .failure(Failure(
                    message: "environment variable `\(name)` is not set (write `${\(name):-default}` to give a default)",
                    offset: index
                ))
            }
            index = close + 1
        }
        return .success(String(output))
    }

    /// `[A-Za-z_][A-Za-z0-9_]*`.
    static func isVariableName(_ name: String) -> Bool {
        guard let first = name.utf8.first else { return false }
        func isLetter(_ byte: UInt8) -> Bool {
            (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z") || byte == UInt8(ascii: "_")
        }
        return isLetter(first) && name.utf8.allSatisfy { isLetter($0) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) }
    }
}
