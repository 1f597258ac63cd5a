import BrigadeCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Map results saved as they finish, one JSON line per chunk (`<output>.map.jsonl`), so that a re-run
/// skips the chunks already done. A line cut short by a kill is ignored (the chunk runs again) and
/// cut off when the file is opened again, so that the next result starts on a line of its own.
///
/// A line that cannot be written whole (a full disk, a quota, a file-size limit) is cut off at once
/// and the map goes on: its chunk simply runs again on a re-run. ``failure`` says so.
final class MapResultsFile: Sendable {
    let path: String
    /// The open descriptor (appending), nil once closed.
    private let descriptor: Mutex<Int32?>
    private let firstFailure = Mutex<String?>(nil)

    /// The first result that could not be saved, as a message naming the file and the system's
    /// reason; nil while every one was.
    var failure: String? { firstFailure.withLock { $0 } }

    /// Opens (creating) the file for appending.
    init(path: String) throws(MapError) {
        self.path = path
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw MapError("cannot open the map results file \(path)") }
        guard Self.dropTornLine(descriptor) else {
            let reason = String(cString: strerror(errno))
            Glibc.close(descriptor)
            throw MapError("cannot repair the map results file \(path): \(reason)")
        }
        self.descriptor = Mutex(descriptor)
    }

    /// Truncates the file after its last newline (a kill in the middle of a write leaves a line
    /// without one) and leaves the descriptor at the end; false (with `errno`) when that fails.
    private static func dropTornLine(_ descriptor: Int32) -> Bool {
        let size = lseek(descriptor, 0, SEEK_END)
        guard size >= 0 else { return false }
        guard size > 0 else { return true }
        var end = size
        let step: off_t = 4096
        var block = [UInt8](repeating: 0, count: Int(step))
        while end > 0 {
            let start = end >= step ? end - step : 0
            let count = block.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, Int(end - start), start) }
            guard count == Int(end - start) else { return false }
            if let newline = block[..<count].lastIndex(of: 0x0A) {
                let keep = start + off_t(newline) + 1
                if keep != size, ftruncate(descriptor, keep) != 0 { return false }
                return lseek(descriptor, keep, SEEK_SET) >= 0
            }
            end = start
        }
        return ftruncate(descriptor, 0) == 0 && lseek(descriptor, 0, SEEK_SET) >= 0
    }

    /// The finished results of earlier runs by chunk id (the last line of a chunk wins).
    static func finished(at path: String) -> [String: MapResult] {
        guard let data = FileManager.default.contents(atPath: path) else { return [:] }
        var results: [String: MapResult] = [:]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            guard let json = try? JSONValue(parsing: String(line)), let result = MapResult(json: json) else { continue }
            results[result.chunkID] = result
        }
        return results
    }

    /// Appends one result as one line, written whole, or not at all: the part of a line that did
    /// not fit is cut off again (when even that fails, nothing more is written to the file).
    func append(_ result: MapResult) {
        let line = Array((result.json.jsonString + "\n").utf8)
        let failure: String? = descriptor.withLock { slot in
            guard let descriptor = slot else { return nil }
            let start = lseek(descriptor, 0, SEEK_CUR)
            var written = 0
            while written < line.count {
                let count = line.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, line.count - written) }
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else {
                    let reason = count < 0 ? String(cString: strerror(errno)) : "the system wrote nothing"
                    if written > 0, start < 0 || ftruncate(descriptor, start) != 0 || lseek(descriptor, start, SEEK_SET) < 0 {
                        Glibc.close(descriptor)
                        slot = nil
                    }
                    return "cannot save map results to \(path): \(reason)"
                }
                written += count
            }
            return nil
        }
        if let failure { firstFailure.withLock { $0 = $0 ?? failure } }
    }

    func close() {
        descriptor.withLock { descriptor in
            if let open = descriptor { Glibc.close(open) }
            descriptor = nil
        }
    }
}

import Synchronization
