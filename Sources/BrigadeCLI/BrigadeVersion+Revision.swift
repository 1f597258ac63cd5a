import Brigade
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

extension BrigadeVersion {
    /// "brigade 0.1.0", plus " (git 1a2b3c4)" when the binary runs from a checkout's build folder
    /// (`.build`, or a scratch path beside it such as `scripts/sanitize`'s `.build-asan`).
    static func description(executable: String) -> String {
        var text = "brigade \(semantic)"
        if let revision = checkoutRevision(executable: executable) { text += " (git \(revision))" }
        return text
    }

    /// The short revision of the checkout the binary was built in, if it was built in one.
    static func checkoutRevision(executable: String) -> String? {
        let path = URL(fileURLWithPath: executable).resolvingSymlinksInPath().path
        let components = path.split(separator: "/", omittingEmptySubsequences: false)
        guard let build = components.firstIndex(where: { $0.hasPrefix(".build") }) else { return nil }
        let root = components[..<build].joined(separator: "/")
        guard FileManager.default.fileExists(atPath: root + "/.git"), FileManager.default.fileExists(atPath: root + "/Package.swift") else { return nil }
        guard let output = standardOutput(of: ["/usr/bin/env", "git", "-C", root, "rev-parse", "--short", "HEAD"]) else { return nil }
        let revision = String(decoding: output, as: UTF8.self).trimmingWhitespaceAndNewlines()
        return revision.isEmpty ? nil : revision
    }

    /// What `arguments` (an absolute program path first) writes to standard output, its standard error
    /// dropped; nil unless it exits with status 0.
    private static func standardOutput(of arguments: [String]) -> [UInt8]? {
        var pipe: [Int32] = [-1, -1]
        guard Glibc.pipe(&pipe) == 0 else { return nil }
        for end in pipe { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        defer { close(pipe[0]) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pipe[1], STDOUT_FILENO)
        posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0)
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, arguments[0], &actions, nil, &argv, environ)
        close(pipe[1])
        guard spawned == 0 else { return nil }
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 256)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(pipe[0], $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            output += buffer[..<count]
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return status == 0 ? output : nil
    }
}
