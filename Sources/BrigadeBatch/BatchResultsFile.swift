#if canImport(Glibc)
import BrigadeCore
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What was cut from the end of a results file that a crash left with a torn last line.
public struct BatchRepair: Sendable, Hashable, CustomStringConvertible {
    public var path: String
    /// The 1-based line number of the torn line.
    public var line: Int
    /// How many bytes were removed.
    public var removedBytes: Int
    /// Why the line was taken as torn.
    public var reason: String

    public var description: String {
        "repaired \(path): removed a torn last line \(line) (\(removedBytes) bytes, \(reason))"
    }
}

/// The lines of a results file, read without changing it.
struct BatchResultsScan {
    struct Line {
        var record: BatchRecord
        /// The line's bytes, newline included.
        var bytes: ArraySlice<UInt8>
        var number: Int
    }

    var lines: [Line] = []
    /// The length of the file up to the end of its last good line.
    var goodLength = 0
    /// Set when the last line is torn: no newline at the end, or not a record.
    var torn: (line: Int, reason: String)?

    /// Scans results bytes. Only the last line may be torn; a bad line before it is corruption.
    ///
    /// - Throws: ``BatchError/Code/corruptResults`` naming the line.
    init(_ bytes: [UInt8], path: String) throws(BatchError) {
        var start = 0
        var number = 0
        while start < bytes.count {
            number += 1
            let newline = bytes[start...].firstIndex(of: 0x0A)
            let end = newline.map { $0 + 1 } ?? bytes.count
            let content = bytes[start..<(newline ?? bytes.count)]
            let isLast = end == bytes.count
            if newline == nil {
                torn = (number, "no newline at the end")
                return
            }
            if content.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) {
                start = end
                goodLength = end
                continue
            }
            let value: JSONValue
            do { value = try JSONValue(parsing: content) } catch {
                if isLast {
                    torn = (number, "invalid JSON: \(error.message)")
                    return
                }
                throw BatchError(.corruptResults, "\(path) line \(number) is not JSON: \(error)", path: path)
            }
            do {
                lines.append(Line(record: try BatchRecord(json: value), bytes: bytes[start..<end], number: number))
            } catch {
                throw BatchError(.corruptResults, "\(path) line \(number) is not a batch result: \(error.message)", path: path)
            }
            start = end
            goodLength = end
        }
    }
}

/// The results file of a run: locked for the run, repaired and read at open, appended to through its
/// ``writer``.
final class BatchResultsFile {
    let path: String
    private var fd: Int32
    /// The records found at open (after repair and compaction), in file order.
    private(set) var records: [BatchRecord] = []
    private(set) var repair: BatchRepair?

    /// Opens (creating it if needed) and locks a results file, repairs a torn last line, reads the
    /// records, and drops the records `shouldRetry` selects so that their items run again.
    ///
    /// - Throws: ``BatchError`` with code `io`, `resultsInUse`, `corruptResults` or `duplicateIDs`.
    init(path: String, retrying shouldRetry: (BatchRecord) -> Bool) throws(BatchError) {
        self.path = path
        fd = try Self.openLocked(path)
        do {
            try load(retrying: shouldRetry)
        } catch {
            Self.unlockAndClose(fd)
            throw error
        }
    }

    deinit { Self.unlockAndClose(fd) }

    /// Releases the lock, then closes. Closing alone would keep the lock while a child process forked
    /// by another thread of this process still holds a copy of the descriptor (between its fork and
    /// its exec), so a second run on the same file in this process could find it "in use".
    private static func unlockAndClose(_ fd: Int32) {
        flock(fd, LOCK_UN)
        close(fd)
    }

    private static func openLocked(_ path: String) throws(BatchError) -> Int32 {
        let fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        if fd < 0 { throw BatchFile.ioError("open", path) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            close(fd)
            if code == EWOULDBLOCK {
                throw BatchError(.resultsInUse, "\(path) is in use by another batch run", path: path)
            }
            throw BatchFile.ioError("lock", path, code)
        }
        BatchFile.syncDirectory(of: path)  // so a newly created results file survives a power loss
        return fd
    }

    private func load(retrying shouldRetry: (BatchRecord) -> Bool) throws(BatchError) {
        if lseek(fd, 0, SEEK_SET) < 0 { throw BatchFile.ioError("seek in", path) }
        let bytes = try BatchFile.readRemaining(fd, path: path)
        let scan = try BatchResultsScan(bytes, path: path)
        if let torn = scan.torn {
            if ftruncate(fd, off_t(scan.goodLength)) != 0 { throw BatchFile.ioError("truncate", path) }
            try BatchFile.sync(fd, path: path)
            repair = BatchRepair(path: path, line: torn.line, removedBytes: bytes.count - scan.goodLength, reason: torn.reason)
        }
        var seen: [BatchItemID: [Int]] = [:]
        for line in scan.lines { seen[line.record.id, default: []].append(line.number) }
        let duplicates = scan.lines.compactMap { line -> BatchDuplicateID? in
            guard let numbers = seen[line.record.id], numbers.count > 1, numbers[0] == line.number else { return nil }
            return BatchDuplicateID(id: line.record.id, locations: numbers.map { "line \($0)" })
        }
        if !duplicates.isEmpty { throw .duplicateIDs(duplicates, in: "the results file \(path)") }

        let kept = scan.lines.filter { !shouldRetry($0.record) }
        if kept.count < scan.lines.count {
            try BatchFile.replace(path, with: kept.flatMap(\.bytes))
            let replacement = try Self.openLocked(path)
            Self.unlockAndClose(fd)
            fd = replacement
        }
        records = kept.map(\.record)
    }

    /// Appends and syncs lines off the calling thread (see ``BatchResultsWriter``). Made after the
    /// file is loaded, when the descriptor no longer changes; every ticket must complete before the
    /// file is closed (the engine waits for them all).
    private(set) lazy var writer = BatchResultsWriter(fd: fd, path: path)
}
