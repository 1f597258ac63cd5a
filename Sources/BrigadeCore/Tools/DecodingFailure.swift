/// Short, model-readable descriptions of `DecodingError`s: "`stops[1].name`: expected String, got null".
enum DecodingFailure {
    static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        switch error {
        case .keyNotFound(let key, let context):
            return "missing `\(path(context.codingPath + [key]))`"
        case .typeMismatch(let type, let context):
            return "\(prefix(context))expected \(type)"
        case .valueNotFound(let type, let context):
            return "\(prefix(context))expected \(type), got null"
        case .dataCorrupted(let context):
            return "\(prefix(context))\(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }

    private static func prefix(_ context: DecodingError.Context) -> String {
        context.codingPath.isEmpty ? "" : "`\(path(context.codingPath))`: "
    }

    /// `a.b[2].c`.
    static func path(_ keys: [any CodingKey]) -> String {
        var text = ""
        for key in keys {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return text
    }
}
