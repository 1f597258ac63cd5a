/// What to do with a final answer under the run's output schema.
enum AnswerCheck {
    case accepted(LoopEnd)
    /// The answer was sent back with its validation errors: run another turn.
    case askAgain
}

extension RunLoop {
    /// The answer as compact JSON when the run has an output schema and the answer matches it.
    /// (The synthesis call's answer is not sent back: its budget is spent.)
    func conformingJSON(_ text: String) -> String? {
        guard let schema = settings.outputSchema, schema.violations(of: text).isEmpty else { return nil }
        return OutputSchema.json(in: text)?.jsonString
    }

    /// Checks a final answer against ``RunOptions/outputSchema``: a conforming one is returned as its
    /// JSON (without a Markdown fence); the first one that does not conform goes back to the model
    /// with the violations; the second ends the run with ``StopReason/Code/invalidAnswer``, its text
    /// as the answer.
    mutating func checkAnswer(_ text: String) -> AnswerCheck {
        guard let schema = settings.outputSchema else { return .accepted(LoopEnd(answer: text, stopReason: .finished)) }
        let violations = schema.violations(of: text)
        if violations.isEmpty, let json = OutputSchema.json(in: text) {
            return .accepted(LoopEnd(answer: json.jsonString, stopReason: .finished))
        }
        let listed = violations.prefix(10).joined(separator: "; ")
        if askedAgainForSchema {
            return .accepted(LoopEnd(answer: text, stopReason: .invalidAnswer(listed)))
        }
        askedAgainForSchema = true
        logger.debug("the answer does not match the output schema; asking again", metadata: ["violations": "\(listed)"])
        messages.append(.user(
            "Your answer does not match the required JSON Schema: \(listed). Answer again with only one JSON value that matches it:\n\(schema.schema.jsonString)"
        ))
        return .askAgain
    }
}
