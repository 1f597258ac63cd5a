import CEdit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The prompt's line editor: libedit (emacs key bindings, `~/.editrc`), with a persistent history.
///
/// libedit installs no signal handlers here (`EL_SIGNAL` 0) and reads through our own callback, which
/// polls standard input next to the ``WakePipe``: Ctrl-C (delivered as SIGINT to ``InterruptRelay``)
/// and terminal resizes wake it, so `el_gets` returns at once on Ctrl-C.
///
/// Not thread-safe: every call must come from the same serial queue (``ChatInput`` does that).
final class LineEditor: @unchecked Sendable {
    // @unchecked: the EditLine and History handles are only used from ChatInput's serial queue.
    private let editor: OpaquePointer
    private let history: OpaquePointer
    private let input: TerminalInput
    private let interrupts: InterruptRelay
    private let historyPath: String?
    private var assembler = UTF8Assembler()
    private var pendingScalars: [Unicode.Scalar] = []
    private var promptBuffer: UnsafeMutablePointer<CChar>
    private var stop: Stop?

    private enum Stop {
        case interrupted(lineWasEmpty: Bool)
        case endOfFile
    }

    /// - Parameters:
    ///   - input: standard input and its wake pipe.
    ///   - interrupts: asked whether a wake-up was a Ctrl-C.
    ///   - historyPath: the history file, loaded now and saved after every line; `nil` keeps history in
    ///     memory only.
    /// - Returns: `nil` when libedit cannot set up the terminal.
    init?(input: TerminalInput, interrupts: InterruptRelay, historyPath: String?) {
        Self.useUTF8Locale()
        let inputFile = fdopen(dup(STDIN_FILENO), "r")
        let outputFile = fdopen(dup(STDOUT_FILENO), "w")
        let errorFile = fdopen(dup(STDERR_FILENO), "w")
        guard let inputFile, let outputFile, let errorFile,
            let editor = brigade_el_init("brigade", inputFile, outputFile, errorFile), let history = brigade_history_init()
        else { return nil }
        self.editor = editor
        self.history = history
        self.input = input
        self.interrupts = interrupts
        self.historyPath = historyPath
        promptBuffer = strdup("> ")
        brigade_history_set_size(history, 1000)
        brigade_history_set_unique(history, 1)
        if let historyPath { _ = brigade_history_load(history, historyPath) }

        brigade_el_set_signal(editor, 0)
        brigade_el_set_editor(editor, "emacs")
        brigade_el_set_history(editor, history)
        brigade_el_bind(editor, "^R", "em-inc-search-prev")
        brigade_el_bind(editor, "^W", "ed-delete-prev-word")
        brigade_el_set_client_data(editor, Unmanaged.passUnretained(self).toOpaque())
        brigade_el_set_getc(editor, { editor, character in
            guard let editor, let character, let context = brigade_el_client_data(editor) else { return -1 }
            return Unmanaged<LineEditor>.fromOpaque(context).takeUnretainedValue().readCharacter(into: character)
        })
        brigade_el_set_prompt(editor, { editor in
            guard let editor, let context = brigade_el_client_data(editor) else { return nil }
            return Unmanaged<LineEditor>.fromOpaque(context).takeUnretainedValue().promptBuffer
        }, 1)
        _ = brigade_el_source(editor, nil)
    }

    deinit {
        brigade_el_end(editor)
        brigade_history_end(history)
        free(promptBuffer)
    }

    /// Reads one line with editing. Blocks the calling thread.
    ///
    /// - Parameter prompt: may hold escape sequences between `\u{1}` markers (they take no width).
    func readLine(prompt: String) -> LineInput {
        free(promptBuffer)
        promptBuffer = strdup(prompt)
        stop = nil
        assembler = UTF8Assembler()
        pendingScalars = []
        if interrupts.terminationSignal != nil { return .endOfFile }

        // Editing mode before the prompt shows: keys typed once it is visible must not meet the canonical
        // line discipline (a Ctrl-D would be stored as an end-of-file mark and reach libedit as a NUL).
        brigade_el_prepare_terminal(editor, 1)
        var count: Int32 = 0
        let line = brigade_el_gets(editor, &count)
        switch stop {
        case .interrupted(let lineWasEmpty)?:
            return .interrupted(lineWasEmpty: lineWasEmpty)
        case .endOfFile?:
            return .endOfFile
        case nil:
            guard let line, count > 0 else { return .endOfFile }
            var text = String(cString: line)
            if text.hasSuffix("\n") { text.removeLast() }
            return .line(text)
        }
    }

    /// Adds a line to the history and saves the history file.
    func remember(_ line: String) {
        guard !line.allSatisfy(\.isWhitespace) else { return }
        _ = brigade_history_enter(history, line)
        if let historyPath { _ = brigade_history_save(history, historyPath) }
    }

    /// libedit's read callback: 1 with a character, 0 at end of input, -1 (errno EINTR) on Ctrl-C.
    private func readCharacter(into character: UnsafeMutablePointer<wchar_t>) -> Int32 {
        while true {
            if !pendingScalars.isEmpty {
                character.pointee = wchar_t(bitPattern: pendingScalars.removeFirst().value)
                return 1
            }
            switch input.next() {
            case .byte(let byte):
                pendingScalars = assembler.feed(byte)
            case .endOfFile:
                stop = .endOfFile
                return 0
            case .woken(let reasons):
                if interrupts.terminationSignal != nil {
                    stop = .endOfFile
                    return 0
                }
                if reasons.contains(.resize) {
                    brigade_el_resize(editor)
                    brigade_el_refresh(editor)
                }
                if reasons.contains(.interrupt), interrupts.takePending() {
                    stop = .interrupted(lineWasEmpty: brigade_el_line_is_empty(editor) != 0)
                    errno = EINTR
                    return -1
                }
            }
        }
    }

    /// libedit converts lines with the C library's multibyte functions: they must speak UTF-8.
    private static func useUTF8Locale() {
        if let locale = setlocale(LC_CTYPE, ""), String(cString: locale).lowercased().contains("utf") { return }
        _ = setlocale(LC_CTYPE, "C.UTF-8")
    }
}
