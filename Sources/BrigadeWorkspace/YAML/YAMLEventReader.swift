import BrigadeCore
import CYAML

/// What the composer reads of libyaml's events, copied out of libyaml's memory.
enum YAMLEvent {
    struct Scalar {
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
}

/// Pulls events from a libyaml parser, one at a time: the current event stays in libyaml's own
/// struct (no copy of its kind, anchor and tag per event) and is read through the accessors until
/// the next `advance()`.
///
/// libyaml does not copy its input: the reader must not outlive the buffer it was created over, and
/// the parser lives at a stable heap address for the reader's whole life. Every event is deleted
/// exactly once, by the next `advance()` or by `deinit`.
final class YAMLEventReader {
    /// The parser and the current event, in one allocation.
    private struct State {
        var parser: yaml_parser_t
        var event: yaml_event_t
    }

    private let storage: UnsafeMutablePointer<State>
    private let parser: UnsafeMutablePointer<yaml_parser_t>
    private let event: UnsafeMutablePointer<yaml_event_t>
    private let input: UnsafeBufferPointer<UInt8>
    private let file: String
    private var holdsEvent = false
    private var finished = false

    /// - Parameter input: must stay valid and unchanged until the reader is released; must not be empty.
    init(input: UnsafeBufferPointer<UInt8>, file: String) throws(ConfigError) {
        guard let base = input.baseAddress, !input.isEmpty else {
            throw ConfigError("internal error: empty YAML input handed to the parser", file: file)
        }
        // Throw before any stored property is set, so that `deinit` never sees a half-made parser.
        let state = UnsafeMutablePointer<State>.allocate(capacity: 1)
        state.initialize(to: State(parser: yaml_parser_t(), event: yaml_event_t()))
        let raw = UnsafeMutableRawPointer(state)
        let parser = (raw + MemoryLayout<State>.offset(of: \.parser)!).assumingMemoryBound(to: yaml_parser_t.self)
        guard yaml_parser_initialize(parser) == 1 else {
            state.deallocate()
            throw ConfigError("out of memory while starting the YAML parser", file: file)
        }
        yaml_parser_set_input_string(parser, base, input.count)
        self.storage = state
        self.parser = parser
        self.event = (raw + MemoryLayout<State>.offset(of: \.event)!).assumingMemoryBound(to: yaml_event_t.self)
        self.input = input
        self.file = file
    }

    deinit {
        if holdsEvent { yaml_event_delete(event) }
        yaml_parser_delete(parser)
        storage.deallocate()
    }

    /// Moves to the next event and returns its type (`YAML_STREAM_END_EVENT` once the stream has
    /// ended); throws the parser's syntax error, placed at libyaml's problem mark.
    func advance() throws(ConfigError) -> yaml_event_type_t {
        if holdsEvent {
            yaml_event_delete(event)
            holdsEvent = false
        }
        guard !finished else { return YAML_STREAM_END_EVENT }
        guard yaml_parser_parse(parser, event) == 1 else {
            finished = true
            throw syntaxError()
        }
        holdsEvent = true
        let type = event.pointee.type
        // YAML_NO_EVENT: only produced after the stream ended.
        guard type != YAML_STREAM_END_EVENT, type != YAML_NO_EVENT else {
            finished = true
            return YAML_STREAM_END_EVENT
        }
        return type
    }

    var start: YAMLEvent.Mark {
        YAMLEvent.Mark(line: event.pointee.start_mark.line, column: event.pointee.start_mark.column)
    }

    var end: YAMLEvent.Mark {
        YAMLEvent.Mark(line: event.pointee.end_mark.line, column: event.pointee.end_mark.column)
    }

    /// The current scalar event's text, tag and style.
    var scalar: YAMLEvent.Scalar {
        let scalar = event.pointee.data.scalar
        let text: String
        if let value = scalar.value {
            text = String(decoding: UnsafeBufferPointer(start: value, count: scalar.length), as: UTF8.self)
        } else {
            text = ""
        }
        return YAMLEvent.Scalar(
            tag: Self.string(scalar.tag),
            text: text,
            isPlain: scalar.style == YAML_PLAIN_SCALAR_STYLE,
            isQuoted: scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE || scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE
        )
    }

    /// The current event's anchor (`&name` on a scalar or collection, `*name` of an alias), if any.
    var anchor: String? {
        switch event.pointee.type {
        case YAML_SCALAR_EVENT: Self.string(event.pointee.data.scalar.anchor)
        case YAML_ALIAS_EVENT: Self.string(event.pointee.data.alias.anchor)
        case YAML_SEQUENCE_START_EVENT: Self.string(event.pointee.data.sequence_start.anchor)
        case YAML_MAPPING_START_EVENT: Self.string(event.pointee.data.mapping_start.anchor)
        default: nil
        }
    }

    /// The current collection-start event's tag, if any.
    var collectionTag: String? {
        switch event.pointee.type {
        case YAML_SEQUENCE_START_EVENT: Self.string(event.pointee.data.sequence_start.tag)
        case YAML_MAPPING_START_EVENT: Self.string(event.pointee.data.mapping_start.tag)
        default: nil
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
