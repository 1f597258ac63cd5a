import Brigade
import Foundation
import Testing

import BrigadeTesting
#if canImport(Glibc)
import Glibc
#endif

/// The file tools' roots against a concurrent writer inside a root, and names that could fool a
/// reader of a listing.
@Suite("File roots under attack", .timeLimit(.minutes(2)))
struct FileRootRaceTests {
    /// A python3 process swaps `root/sub` (a real folder) and `root/link` (a link to a folder outside
    /// the root) with `renameat2(RENAME_EXCHANGE)` as fast as it can, while `read_file` and
    /// `list_dir` reach through `sub`. A check-then-open resolver read the outside file in about one
    /// try in ten; the component-by-component walk never does.
    @Test func swappingAFolderForALinkNeverLeadsOut() async throws {
        let outer = try TemporaryFolder()
        let root = try outer.makeDirectory("root")
        try outer.write("outside/secret.txt", "TOP SECRET\n")
        try outer.write("outside/only-outside.txt", "x")
        try outer.write("root/sub/secret.txt", "inside\n")
        symlink(outer.path + "/outside", root + "/link")
        let swapper = Process()
        swapper.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        swapper.arguments = ["python3", "-c", """
            import ctypes, os, signal, sys, threading
            signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM])
            threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
            libc = ctypes.CDLL(None, use_errno=True)
            AT_FDCWD, RENAME_EXCHANGE = -100, 2
            a, b = (sys.argv[1] + "/sub").encode(), (sys.argv[1] + "/link").encode()
            print("ready", flush=True)
            while True:
                if libc.renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE) != 0:
                    sys.exit("renameat2 failed: " + os.strerror(ctypes.get_errno()))
            """, root]
        let ready = Pipe()
        let lifeline = Pipe()  // the swapper exits when this closes, even if this process dies
        swapper.standardOutput = ready
        swapper.standardInput = lifeline
        try swapper.run()
        defer {
            try? lifeline.fileHandleForWriting.close()
            swapper.waitUntilExit()
        }
        #expect(ready.fileHandleForReading.readData(ofLength: 6) == Data("ready\n".utf8))

        let roots = try FileRoots([root])
        let read = ReadFileExecutor(roots: roots, maxOutputBytes: 4096)
        let list = ListDirectoryExecutor(roots: roots, maxOutputBytes: 4096)
        var insideReads = 0
        var refusals = 0
        for _ in 0..<2000 {
            let output = try await read.call(["path": "sub/secret.txt"], context: context)
            #expect(!output.text.contains("TOP SECRET"), "read outside the root: \(output.text)")
            if output.text == "inside\n" { insideReads += 1 } else { refusals += 1 }
            let listing = try await list.call(["path": "sub"], context: context)
            #expect(!listing.text.contains("only-outside"), "listed outside the root: \(listing.text)")
        }
        #expect(swapper.isRunning, "the swapper kept swapping")
        #expect(insideReads > 0 && refusals > 0, "both sides of the swap were seen: \(insideReads) reads, \(refusals) refusals")
    }

    @Test func linksInsideTheRootAreFollowedAndLinksThatClimbOutAreRefused() async throws {
        let outer = try TemporaryFolder()
        let root = try outer.makeDirectory("root")
        try outer.write("secret.txt", "TOP SECRET\n")
        try outer.write("root/a/b/file.txt", "deep\n")
        symlink("a/b", root + "/relative")
        symlink(root + "/a", root + "/absolute")
        symlink("../../..", root + "/a/b/up")
        symlink("../secret.txt", root + "/climb")
        symlink("loop2", root + "/loop1")
        symlink("loop1", root + "/loop2")
        let read = ReadFileExecutor(roots: try FileRoots([root]), maxOutputBytes: 4096)
        #expect(try await read.call(["path": "relative/file.txt"], context: context).text == "deep\n")
        #expect(try await read.call(["path": "absolute/b/file.txt"], context: context).text == "deep\n")
        #expect(try await read.call(["path": "absolute/b/up/root/a/b/file.txt"], context: context).text.contains("leads outside"))
        #expect(try await read.call(["path": "climb"], context: context) == ToolOutput(text: "`climb` leads outside the allowed folders through a symbolic link", isError: true))
        #expect(try await read.call(["path": "loop1"], context: context) == ToolOutput(text: "`loop1`: too many levels of symbolic links", isError: true))
    }

    @Test func listedNamesShowControlCharactersEscaped() async throws {
        let outer = try TemporaryFolder()
        let root = try outer.makeDirectory("root")
        try outer.write("root/evil\nfake-entry.txt  (1 B)", "x")
        try outer.write("root/\u{1B}]0;pwned\u{07}title", "x")
        try outer.write("root/c1\u{9B}2J", "x")
        let list = ListDirectoryExecutor(roots: try FileRoots([root]), maxOutputBytes: 4096)
        let text = try await list.call(["path": "."], context: context).text
        #expect(text == """
            ./ — 3 entries
            \\e]0;pwned\\x07title  (1 B)
            c1\\u{9B}2J  (1 B)
            evil\\nfake-entry.txt  (1 B)  (1 B)
            """)
        #expect(!text.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
    }
}
