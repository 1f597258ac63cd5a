#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Reading an open file's bytes (a file opened through ``FileRoots``, so by descriptor, never by name).
enum FileBytes {
    /// Up to `count` bytes from `offset`, fewer when the file ends first or a read fails;
    /// interrupted reads are retried.
    static func read(_ fd: Int32, count: Int, offset: Int = 0) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let read = bytes.withUnsafeMutableBytes { buffer in
                pread(fd, buffer.baseAddress! + filled, count - filled, off_t(offset + filled))
            }
            if read < 0, errno == EINTR { continue }
            guard read > 0 else { break }
            filled += read
        }
        bytes.removeLast(count - filled)
        return bytes
    }
}
