import Brigade

/// Tool arguments shortened for one line: `{"path":"/var","depth":2}` becomes `path=/var depth=2`.
enum ArgumentSummary {
    /// - Parameter preview: the raw arguments (possibly cut, so possibly not valid JSON).
    static func short(_ preview: String) -> String {
        guard case .object(let object)? = try? JSONValue(parsing: preview) else {
            return ControlCharacters.escaped(preview)
        }
        // Sanitised after decoding: JSON escapes (`\u001b`) decode to control characters.
        let text = object.map { key, value in "\(key)=\(describe(value))" }.joined(separator: " ")
        return ControlCharacters.escaped(text)
    }

    private static func describe(_ value: JSONValue) -> String {
        switch value {
        case .string(let string):
            string.isEmpty || string.contains(" ") ? "\"\(string)\"" : string
        default:
            value.jsonString
        }
    }
}
