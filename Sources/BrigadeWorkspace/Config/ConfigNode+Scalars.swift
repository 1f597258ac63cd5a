import BrigadeCore

extension ConfigNode {
    /// A string scalar (quoted, or plain text that is not a number, boolean or null).
    package func string() throws(ConfigError) -> String {
        guard case .string(let value)? = node.scalarValue else { throw typeMismatch(expected: "string") }
        return value
    }

    /// A string with `${NAME}` / `${NAME:-default}` replaced from `environment` (`$${` is a literal `${`).
    /// - Throws: at the `${` when the variable is unset and has no default.
    package func string(environment: [String: String]) throws(ConfigError) -> String {
        try interpolate(try string(), environment: environment)
    }

    /// The text of any non-null scalar, as written: `8080` and `true` read as "8080" and "true".
    /// For values that are strings by nature (argv elements, header and environment values).
    package func text() throws(ConfigError) -> String {
        guard let value = node.scalarValue, let text = node.scalarText else { throw typeMismatch(expected: "scalar") }
        guard !value.isNull else { throw typeMismatch(expected: "a value") }
        return text
    }

    /// `text()` with `${…}` interpolation.
    package func text(environment: [String: String]) throws(ConfigError) -> String {
        try interpolate(try text(), environment: environment)
    }

    private func interpolate(_ text: String, environment: [String: String]) throws(ConfigError) -> String {
        switch ConfigInterpolation.expand(text, environment: environment) {
        case .success(let expanded): return expanded
        case .failure(let failure): throw error(failure.message, at: node.location(ofTextOffset: failure.offset))
        }
    }

    package func bool() throws(ConfigError) -> Bool {
        guard case .bool(let value)? = node.scalarValue else {
            if let text = node.scalarText, ["yes", "no", "on", "off", "y", "n"].contains(text.lowercased()) {
                throw error("expected boolean, got `\(text.quotedForError())` (YAML 1.2 booleans are `true` and `false`)")
            }
            throw typeMismatch(expected: "boolean")
        }
        return value
    }

    package func int() throws(ConfigError) -> Int {
        guard case .integer(let value)? = node.scalarValue else { throw typeMismatch(expected: "integer") }
        return value
    }

    /// An integer in `range`; "must be between 1 and 100, got 0" otherwise.
    package func int(in range: ClosedRange<Int>) throws(ConfigError) -> Int {
        let value = try int()
        guard range.contains(value) else {
            if range.upperBound == .max { throw error("must be at least \(range.lowerBound), got \(value)") }
            throw error("must be between \(range.lowerBound) and \(range.upperBound), got \(value)")
        }
        return value
    }

    /// A finite number (integers accepted).
    package func double() throws(ConfigError) -> Double {
        switch node.scalarValue {
        case .integer(let value)?: return Double(value)
        case .number(let value)? where value.isFinite: return value
        case .number?: throw error("expected a finite number, got \(node.scalarText ?? "")")
        default: throw typeMismatch(expected: "number")
        }
    }

    /// A finite number at least `minimum` and, when `below` is given, less than it.
    package func double(atLeast minimum: Double, below limit: Double? = nil) throws(ConfigError) -> Double {
        let value = try double()
        if let limit, !(value >= minimum && value < limit) {
            throw error("must be at least \(minimum) and less than \(limit), got \(value)")
        }
        guard value >= minimum else { throw error("must be at least \(minimum), got \(value)") }
        return value
    }

    /// One of `choices`; anything else is an error with a "did you mean" suggestion.
    package func choice(_ choices: [String]) throws(ConfigError) -> String {
        let value = try string()
        guard choices.contains(value) else {
            throw error("unknown value `\(value.quotedForError())`" + ConfigSuggestion.hint(for: value, among: choices))
        }
        return value
    }

    /// A case of a string enum, by raw value.
    package func choice<Choice: RawRepresentable & CaseIterable>(_ type: Choice.Type) throws(ConfigError) -> Choice
    where Choice.RawValue == String {
        let value = try choice(Choice.allCases.map(\.rawValue))
        guard let result = Choice(rawValue: value) else { throw error("unknown value `\(value)`") }
        return result
    }

    /// A duration: a number of seconds (`30`, `0.5`) or a string with a unit (`250ms`, `5s`, `2m`, `1h`).
    package func duration() throws(ConfigError) -> Duration {
        let seconds: Double
        switch node.scalarValue {
        case .integer(let value)?: seconds = Double(value)
        case .number(let value)?: seconds = value
        case .string(let text)?:
            guard let parsed = Self.seconds(inDuration: text) else {
                throw error("`\(text)` is not a duration (write a number of seconds, or e.g. `250ms`, `5s`, `2m`, `1h`)")
            }
            seconds = parsed
        default: throw typeMismatch(expected: "duration")
        }
        guard seconds.isFinite, seconds >= 0 else { throw error("a duration must not be negative") }
        guard seconds <= 1e9 else { throw error("duration too large") }
        return .nanoseconds(Int64((seconds * 1e9).rounded()))
    }

    /// A duration greater than zero.
    package func positiveDuration() throws(ConfigError) -> Duration {
        let value = try duration()
        guard value > .zero else { throw error("must be greater than zero") }
        return value
    }

    private static let durationUnits: [(suffix: String, scale: Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]

    /// `250ms` → 0.25, `1.5h` → 5400; `nil` when not of that form.
    /// On the UTF-8 bytes: the number must be ASCII digits and dots, so text that is not ASCII is
    /// rejected whichever suffix it ends with.
    static func seconds(inDuration text: String) -> Double? {
        let bytes = text.utf8
        for unit in durationUnits {
            let suffix = unit.suffix.utf8
            guard bytes.count >= suffix.count, bytes.suffix(suffix.count).elementsEqual(suffix) else { continue }
            let number = bytes.dropLast(suffix.count)
            guard !number.isEmpty,
                number.allSatisfy({ ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: ".") }),
                number.first != UInt8(ascii: "."), number.last != UInt8(ascii: "."), let value = Double(Substring(number))
            else { return nil }
            return value * unit.scale
        }
        return nil
    }
}
