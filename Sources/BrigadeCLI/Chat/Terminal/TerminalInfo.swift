#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the REPL may do with its standard streams: edit lines, draw live lines, use colour.
struct TerminalInfo: Sendable, Hashable {
    /// Standard input is a terminal (line editing with libedit; Ctrl-C from the keyboard).
    var inputIsTerminal: Bool
    /// Standard output is a terminal that understands ANSI sequences (`TERM` is not `dumb`).
    var outputIsTerminal: Bool
    /// Colour is allowed: an ANSI terminal and no `NO_COLOR` (https://no-color.org: any non-empty value).
    var colors: Bool

    /// Both streams on an ANSI terminal: spinners, live lines redrawn in place, line editing.
    var isInteractive: Bool { inputIsTerminal && outputIsTerminal }

    var style: TextStyle { TextStyle(colors: isInteractive && colors) }

    /// Inspects standard input and output and the environment.
    static func detect(environment: [String: String]) -> TerminalInfo {
        let term = environment["TERM"] ?? ""
        let ansi = isatty(STDOUT_FILENO) == 1 && term != "dumb"
        let noColor = !(environment["NO_COLOR"] ?? "").isEmpty
        return TerminalInfo(inputIsTerminal: isatty(STDIN_FILENO) == 1, outputIsTerminal: ansi, colors: ansi && !noColor)
    }

    /// The size of the terminal on `fileDescriptor`, or `nil` when unknown.
    static func windowSize(of fileDescriptor: Int32) -> (columns: Int, rows: Int)? {
        var size = winsize()
        guard ioctl(fileDescriptor, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
        return (Int(size.ws_col), Int(size.ws_row))
    }
}
