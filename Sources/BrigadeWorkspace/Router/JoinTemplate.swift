import BrigadeCore
import Mustache

/// A route's join: a Mustache template rendered with every call's result and status.
///
/// Rendered as plain text (no HTML escaping). The context has `prompt`, `route`, `captures`,
/// `calls.LABEL.{ok, status, output, error, duration, tool}` for each call, `missing` (a list of
/// `{label, reason}` for calls that gave no result) and `complete` (true when nothing is missing).
/// A failed call's `output` is the explicit marker `unavailable (REASON)`, never an empty string.
public struct JoinTemplate: RouteJoinTemplate {
    public let file: String
    public let text: String
    let template: MustacheTemplate

    /// Parses `text` (read from `file`); a syntax error names file, line and column.
    public init(text: String, file: String) throws(ConfigError) {
        self.file = file
        self.text = text
        // The pragma switches escaping off; it is put on line 1 without a newline so that line numbers stay true.
        let pragma = "{{% CONTENT_TYPE: TEXT}}"
        do {
            template = try MustacheTemplate(string: pragma + text)
        } catch let error as MustacheTemplate.ParserError {
            let line = error.context.lineNumber
            var column = error.context.columnNumber
            if line == 1 { column = max(1, column - pragma.count) }
            throw ConfigError("template syntax error: \(Self.describe(error.error))", at: SourceLocation(file: file, line: line, column: column))
        } catch {
            throw ConfigError("template syntax error: \(error)", at: SourceLocation(file: file, line: 1, column: 1))
        }
    }

    static func describe(_ error: any Error) -> String {
        guard let error = error as? MustacheTemplate.Error else { return "\(error)" }
        return switch error {
        case .sectionCloseNameIncorrect: "a section is closed with a name that does not match its opening tag"
        case .unfinishedName: "a tag is not closed"
        case .expectedSectionEnd: "a section is never closed"
        case .invalidSetDelimiter: "malformed set-delimiter tag"
        default: "\(error)"
        }
    }

    /// Every `calls.LABEL` the template refers to, with where (for load-time checks).
    public func referencedCalls() -> [(label: String, location: SourceLocation)] {
        var found: [(String, SourceLocation)] = []
        var line = 1
        var column = 1
        var index = text.startIndex
        while index < text.endIndex {
            if text[index...].hasPrefix("{{") {
                let tagStart = SourceLocation(file: file, line: line, column: column)
                guard let close = text[index...].firstRange(of: "}}") else { break }
                var name = text[text.index(index, offsetBy: 2)..<close.lowerBound].trimmingWhitespace()
                while let first = name.first, "#^/&{>!".contains(first) { name.removeFirst(); name = name.trimmingWhitespace() }
                if name.hasPrefix("calls.") {
                    let label = name.dropFirst("calls.".count).split(separator: ".").first.map(String.init) ?? ""
                    if !label.isEmpty { found.append((label, tagStart)) }
                }
                for character in text[index..<close.upperBound] {
                    if character == "\n" { line += 1; column = 1 } else { column += 1 }
                }
                index = close.upperBound
                continue
            }
            if text[index] == "\n" { line += 1; column = 1 } else { column += 1 }
            index = text.index(after: index)
        }
        return found
    }

    /// Renders the join with the given context (plain Swift dictionaries, arrays, strings, bools).
    public func render(_ context: [String: Any]) -> String {
        template.render(context)
    }
}
