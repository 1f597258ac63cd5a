import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A fresh folder under the temporary directory, removed with everything in it when the value goes
/// away: the scratch space of a test that writes config files, tools and scripts.
///
/// ```swift
/// let folder = try TemporaryFolder()
/// try folder.write("config.yaml", "routing: static\n")
/// try folder.write("tools/hello.sh", "#!/bin/sh\necho hello\n", executable: true)
/// ```
public final class TemporaryFolder: Sendable {
    /// The folder's absolute path, with links resolved (so it compares equal to what tools report).
    public let path: String

    /// Creates the folder (mode 0755), named `prefix` and six random characters.
    /// - Throws: `POSIXError` when the folder cannot be created.
    public init(prefix: String = "brigade-test-") throws {
        let base = NSTemporaryDirectory().hasSuffix("/") ? NSTemporaryDirectory() : NSTemporaryDirectory() + "/"
        var template = Array((base + prefix + "XXXXXX").utf8CString)
        guard let created = mkdtemp(&template) else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        let made = String(cString: created)
        // mkdtemp makes it 0700; readable by all as any folder (a test may run a tool as another user).
        guard chmod(made, 0o755) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        if let resolved = realpath(made, nil) {
            path = String(cString: resolved)
            free(resolved)
        } else {
            path = made
        }
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// The absolute path of `relativePath` in the folder.
    public func file(_ relativePath: String) -> String { path + "/" + relativePath }

    /// Writes `text` to `relativePath` (creating folders as needed), optionally executable.
    ///
    /// The file is written through a close-on-exec descriptor: tests spawn processes in parallel, and
    /// a child that inherited a descriptor open for writing would make running the script fail with
    /// `ETXTBSY`.
    /// - Returns: the file's absolute path.
    @discardableResult
    public func write(_ relativePath: String, _ text: String, executable: Bool = false) throws -> String {
        let target = file(relativePath)
        try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let descriptor = open(target, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        defer { close(descriptor) }
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw in
                #if canImport(Glibc)
                Glibc.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                #elseif canImport(Musl)
                Musl.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                #else
                Darwin.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                #endif
            }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            offset += written
        }
        guard fchmod(descriptor, executable ? 0o755 : 0o644) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        return target
    }

    /// Creates the folder `relativePath` (and its parents).
    /// - Returns: its absolute path.
    @discardableResult
    public func makeDirectory(_ relativePath: String) throws -> String {
        let folder = file(relativePath)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    /// Creates a named pipe — to hear from scripts without sleeping.
    /// - Returns: its absolute path.
    public func makeFIFO(_ relativePath: String) throws -> String {
        let fifo = file(relativePath)
        guard mkfifo(fifo, 0o600) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        return fifo
    }

    /// The text of `relativePath`; `nil` when it cannot be read.
    public func read(_ relativePath: String) -> String? {
        FileManager.default.contents(atPath: file(relativePath)).map { String(decoding: $0, as: UTF8.self) }
    }
}
