#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Thin POSIX file operations for batch input and results: whole-file reads, appends of whole lines
/// in one `write(2)` followed by `fsync`, truncation, and atomic replacement by rename.
enum BatchFile {
    /// The text of `errno` for messages.
    static func describeErrno(_ code: Int32 = errno) -> String { String(cString: strerror(code)) }

    static func ioError(_ operation: String, _ path: String, _ code: Int32 = errno) -> BatchError {
        BatchError(.io, "cannot \(operation) \(path): \(describeErrno(code))", path: path)
    }

    /// Reads a whole file; `nil` when it does not exist.
    static func readFile(_ path: String) throws(BatchError) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw ioError("open", path)
        }
        defer { close(fd) }
        return try readRemaining(fd, path: path)
    }

    /// Reads from `fd`'s current offset to the end.
    static func readRemaining(_ fd: Int32, path: String) throws(BatchError) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw ioError("read", path)
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<count])
        }
    }

    /// Writes all of `bytes` to `fd`: one `write(2)` unless the kernel takes less.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(BatchError) {
        var offset = 0
        try writeAll(fd, bytes, path: path, offset: &offset)
    }

    /// Appends `bytes` to `fd` (open with `O_APPEND`) and syncs them. When the write or the sync fails
    /// (a full disk, a quota, a file-size limit, an I/O error), cuts the file back to its length before,
    /// so that it holds no part of lines that were not synced: a torn line would otherwise stay at its
    /// end, and whole lines of the failed group would count as done on resume though never reported so.
    /// The cut is best effort (it can fail too); the next start then repairs a torn last line.
    static func appendAndSync(_ fd: Int32, _ bytes: [UInt8], path: String) throws(BatchError) {
        var written = 0
        do throws(BatchError) {
            try writeAll(fd, bytes, path: path, offset: &written)
            try sync(fd, path: path)
        } catch {
            var info = stat()
            if written > 0, fstat(fd, &info) == 0, Int(info.st_size) >= written {
                if ftruncate(fd, info.st_size - off_t(written)) == 0 { _ = fsync(fd) }
            }
            throw error
        }
    }

    /// Writes `bytes[offset...]`, advancing `offset` by what the kernel took (also when it fails).
    private static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String, offset: inout Int) throws(BatchError) {
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                write(fd, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw ioError("write", path)
            }
            offset += written
        }
    }

    static func sync(_ fd: Int32, path: String) throws(BatchError) {
        if fsync(fd) != 0 { throw ioError("fsync", path) }
    }

    /// The device and inode of a file, to tell whether two paths name the same file; `nil` when absent.
    static func identity(_ path: String) -> (device: UInt64, inode: UInt64)? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return (UInt64(info.st_dev), UInt64(info.st_ino))
    }

    /// Replaces `path` with `bytes` atomically: writes a sibling temporary file, syncs it, renames it
    /// over `path` and syncs the directory. A crash leaves either the old or the new file.
    static func replace(_ path: String, with bytes: [UInt8]) throws(BatchError) {
        let temporary = path + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if fd < 0 { throw ioError("create", temporary) }
        do {
            try writeAll(fd, bytes, path: temporary)
            try sync(fd, path: temporary)
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        close(fd)
        if rename(temporary, path) != 0 {
            let code = errno
            unlink(temporary)
            throw ioError("rename \(temporary) to", path, code)
        }
        syncDirectory(of: path)
    }

    /// Syncs the directory holding `path` so a rename in it survives a power loss (best effort).
    static func syncDirectory(of path: String) {
        let directory: String
        if let slash = path.lastIndex(of: "/") {
            directory = slash == path.startIndex ? "/" : String(path[..<slash])
        } else {
            directory = "."
        }
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }
}
