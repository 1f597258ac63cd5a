/// What reading one line at the prompt gave.
enum LineInput: Equatable, Sendable {
    case line(String)
    /// Ctrl-C; `lineWasEmpty` tells whether anything had been typed (then the line is just cleared).
    case interrupted(lineWasEmpty: Bool)
    /// Ctrl-D on an empty line, or standard input closed.
    case endOfFile
}
