#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Tools and MCP servers die with Brigade: each is started through util-linux's `setpriv
/// --pdeathsig KILL`, which sets `PR_SET_PDEATHSIG` and then executes the program, so the kernel
/// sends it SIGKILL when Brigade ends, even by SIGKILL.
///
/// swift-subprocess has no hook that runs in the child between fork and exec on Linux (its
/// `preSpawnProcessConfigurator` is Darwin's and Windows'), and the death signal cannot be set
/// from outside, hence the one small program in between. The signal follows the thread that
/// started the child; swift-subprocess starts every child from one worker thread that lives as
/// long as the process, so "that thread ends" means "Brigade ends".
///
/// What it does not cover: the children a tool starts itself (they are in the tool's process group,
/// which Brigade kills when a call ends normally, but nobody kills them after Brigade's own death);
/// a system without `setpriv` (or with one older than util-linux 2.33), where programs start
/// directly as before; and a program that cannot be executed (it is started directly so that the
/// error reads as it always did).
enum ParentDeathSignal {
    /// The `setpriv` to start children through, or `nil` when there is none that knows `--pdeathsig`.
    static let launcher: String? = {
        for path in ["/usr/bin/setpriv", "/bin/setpriv"] where access(path, X_OK) == 0 {
            if knowsDeathSignalOption(path) { return path }
        }
        return nil
    }()

    /// The program to start and its arguments for running `program arguments` with the death signal set.
    static func wrap(_ program: String, _ arguments: [String]) -> (program: String, arguments: [String]) {
        guard let launcher, access(program, X_OK) == 0 else { return (program, arguments) }
        return (launcher, ["--pdeathsig", "KILL", "--", program] + arguments)
    }

    /// Whether the binary at `path` mentions its `--pdeathsig` option (util-linux 2.33 and later),
    /// found without running it.
    private static func knowsDeathSignalOption(_ path: String) -> Bool {
        guard let file = fopen(path, "rb") else { return false }
        defer { fclose(file) }
        let needle = Array("pdeathsig".utf8)
        var carry: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count <= 0 { return false }
            let window = carry + buffer[..<count]
            if window.firstRange(of: needle) != nil { return true }
            carry = Array(window.suffix(needle.count - 1))
        }
    }
}
