import BrigadeCore
import CYAML

/// One libyaml event, copied out of libyaml's memory so that the C event can be deleted at once.
struct YAMLEvent {
    enum Kind {
        case streamStart
        case streamEnd
        case documentStart
        case documentEnd
        case alias(anchor: String)
        case scalar(Scalar)
        case sequenceStart(anchor: String?, tag: String?)
        case sequenceEnd
        case mappingStart(anchor: String?, tag: String?)
        case mappingEnd
    }

    struct Scalar {
        var anchor: String?
        var tag: String?
        var text: String
        /// Written without quotes and without `|`/`>` (only plain scalars are resolved by the core schema).
        var isPlain: Bool
        /// Single- or double-quoted (the text starts one column after the start mark).
        var isQuoted: Bool
    }

    /// 0-based marks, as libyaml gives them (columns count characters, not bytes).
    struct Mark {
        var line: Int
        var column: Int
    }

    var kind: Kind
    var start: Mark
    var end: Mark
}

/// Pulls events from a libyaml parser.
///
/// libyaml does not copy its input: the reader must not outlive the buffer it was created over, and
/// the parser lives at a stable heap address for the reader's whole life. Every event is deleted
/// exactly once, right after its contents are copied into a `YAMLEvent`.
final class YAMLEventReader {
    private let parser: UnsafeMutablePointer<yaml_parser_t>
    private let input: UnsafeBufferPointer<UInt8>
    private let file: String
    private var finished = false

    /// - Parameter input: must stay valid and unchanged until the reader is released; must not be empty.
    init(input: UnsafeBufferPointer<UInt8>, file: String) throws(ConfigError) {
        guard let base = input.baseAddress, !input.isEmpty else {
            throw ConfigError("internal error: empty YAML input handed to the parser", file: file)
        }
        // Throw before any stored property is set, so that `deinit` never sees a half-made parser.
        let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        guard yaml_parser_initialize(parser) == 1 else {
            parser.deallocate()
            throw ConfigError("out of memory while starting the YAML parser", file: file)
        }
        yaml_parser_set_input_string(parser, base, input.count)
        self.parser = parser
        self.input = input
        self.file = file
    }

    deinit {
        yaml_parser_delete(parser)
        parser.deallocate()
    }

    /// The next event; throws the parser's syntax error, placed at libyaml's problem mark.
    func next() throws(ConfigError) -> YAMLEvent {
        guard !finished else { return YAMLEvent(kind: .streamEnd, start: .init(line: 0, column: 0), end: .init(line: 0, column: 0)) }
        var event = yaml_event_t()
        guard yaml_parser_parse(parser, &event) == 1 else {
            finished = true
            throw syntaxError()
        }
        defer { yaml_event_delete(&event) }
        let kind = Self.kind(of: event)
        if case .streamEnd = kind { finished = true }
        return YAMLEvent(
            kind: kind,
            start: .init(line: event.start_mark.line, column: event.start_mark.column),
            end: .init(line: event.end_mark.line, column: event.end_mark.column)
        )
    }

    private static func kind(of event: yaml_event_t) -> YAMLEvent.Kind {
        switch event.type {
        case YAML_STREAM_START_EVENT: return .streamStart
        case YAML_DOCUMENT_START_EVENT: return .documentStart
        case YAML_DOCUMENT_END_EVENT: return .documentEnd
        case YAML_ALIAS_EVENT: return .alias(anchor: string(event.data.alias.anchor) ?? "")
        case YAML_SCALAR_EVENT:
            let scalar = event.data.scalar
            let text: String
            if let value = scalar.value {
                text = String(decoding: UnsafeBufferPointer(start: value, count: scalar.length), as: UTF8.self)
            } else {
                text = ""
            }
            return .scalar(
                YAMLEvent.Scalar(
                    anchor: string(scalar.anchor),
                    tag: string(scalar.tag),
                    text: text,
                    isPlain: scalar.style == YAML_PLAIN_SCALAR_STYLE,
                    isQuoted: scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE
                        || scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE
                )
            )
        case YAML_SEQUENCE_START_EVENT:
            return .sequenceStart(
                anchor: string(event.data.sequence_start.anchor),
                tag: string(event.data.sequence_start.tag)
            )
        case YAML_SEQUENCE_END_EVENT: return .sequenceEnd
        case YAML_MAPPING_START_EVENT:
            return .mappingStart(
                anchor: string(event.data.mapping_start.anchor),
                tag: string(event.data.mapping_start.tag)
            )
        case YAML_MAPPING_END_EVENT: return .mappingEnd
        default: return .streamEnd  // YAML_NO_EVENT: only produced after the stream ended
        }
    }

    private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: UnsafePointer($0)) }
    }

    /// libyaml's error as a `ConfigError` at the problem's 1-based line and column.
    private func syntaxError() -> ConfigError {
        let state = parser.pointee
        let problem = state.problem.map { String(cString: $0) } ?? "unknown error"
        switch state.error {
        case YAML_MEMORY_ERROR:
            return ConfigError("out of memory while parsing YAML", file: file)
        case YAML_READER_ERROR:
            // Reader errors (bad encoding) carry a byte offset, not a mark.
            var message = "invalid YAML input: \(problem)"
            if state.problem_value >= 0 {
                message += " (byte 0x\(String(state.problem_value, radix: 16)))"
            }
            return ConfigError(message, at: location(ofByte: state.problem_offset))
        default:
            var message = "YAML syntax error: \(problem)"
            if let context = state.context.map({ String(cString: $0) }) {
                message += " (\(context) at line \(state.context_mark.line + 1), column \(state.context_mark.column + 1))"
            }
            if let hint = hint(problem: problem, at: state.problem_mark.index) { message += "; \(hint)" }
            let mark = state.problem_mark
            return ConfigError(message, at: SourceLocation(file: file, line: mark.line + 1, column: mark.column + 1))
        }
    }

    private func hint(problem: String, at index: Int) -> String? {
        guard index < input.count else { return nil }
        if input[index] == UInt8(ascii: "\t") {
            return "tabs cannot indent YAML; use spaces"
        }
        return nil
    }

    private func location(ofByte offset: Int) -> SourceLocation {
        var line = 1
        var column = 1
        for byte in input.prefix(min(offset, input.count)) {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return SourceLocation(file: file, line: line, column: column)
    }
}
