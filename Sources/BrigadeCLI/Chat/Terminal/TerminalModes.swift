import Synchronization
#if canImport(Glibc)
import Brigade
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Switches the terminal's echo off while a turn runs (keystrokes would garble the live lines; Ctrl-C
/// still signals) and back on for questions and the prompt. Restores the original settings at the end.
final class TerminalModes: Sendable {
    private let fileDescriptor: Int32
    private let original: Mutex<termios?>

    /// - Parameter fileDescriptor: the terminal (standard input); nothing happens if it is not one.
    init(fileDescriptor: Int32 = STDIN_FILENO) {
        self.fileDescriptor = fileDescriptor
        var settings = termios()
        original = Mutex(isatty(fileDescriptor) == 1 && tcgetattr(fileDescriptor, &settings) == 0 ? settings : nil)
    }

    /// Echo off (canonical mode and signals stay as they are).
    func echoOff() { update { $0.c_lflag &= ~tcflag_t(ECHO) } }

    /// The settings the terminal had when this object was made (echo on, canonical).
    func restore() {
        guard let settings = original.withLock({ $0 }) else { return }
        var copy = settings
        _ = tcsetattr(fileDescriptor, TCSANOW, &copy)
    }

    private func update(_ change: (inout termios) -> Void) {
        guard original.withLock({ $0 }) != nil else { return }
        var settings = termios()
        guard tcgetattr(fileDescriptor, &settings) == 0 else { return }
        change(&settings)
        _ = tcsetattr(fileDescriptor, TCSANOW, &settings)
    }
}
