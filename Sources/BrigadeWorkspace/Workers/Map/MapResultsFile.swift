import BrigadeCore
import Foundation

/// Map results saved as they finish, one JSON line per chunk (`<output>.map.jsonl`), so that a re-run
/// skips the chunks already done. A line cut short by a kill is ignored (the chunk runs again) and
/// cut off when the file is opened again, so that the next result starts on a line of its own.
final class MapResultsFile: Sendable {
    let path: String
    private let handle: Mutex<FileHandle?>

    /// Opens (creating) the file for appending.
    init(path: String) throws(MapError) {
        self.path = path
        if !FileManager.default.fileExists(atPath: path), !FileManager.default.createFile(atPath: path, contents: nil) {
            throw MapError("cannot create the map results file \(path)")
        }
        guard let handle = FileHandle(forUpdatingAtPath: path) else { throw MapError("cannot open the map results file \(path)") }
        do {
            try Self.dropTornLine(handle)
        } catch {
            try? handle.close()
            throw MapError("cannot repair the map results file \(path): \(error)")
        }
        self.handle = Mutex(handle)
    }

    /// Truncates the file after its last newline (a kill in the middle of a write leaves a line
    /// without one) and leaves the handle at the end.
    private static func dropTornLine(_ handle: FileHandle) throws {
        let size = try handle.seekToEnd()
        guard size > 0 else { return }
        var end = size
        let step: UInt64 = 4096
        while end > 0 {
            let start = end >= step ? end - step : 0
            try handle.seek(toOffset: start)
            let block = try handle.read(upToCount: Int(end - start)) ?? Data()
            if let newline = block.lastIndex(of: 0x0A) {
                let keep = start + UInt64(block.distance(from: block.startIndex, to: newline)) + 1
                if keep != size { try handle.truncate(atOffset: keep) }
                try handle.seek(toOffset: keep)
                return
            }
            end = start
        }
        try handle.truncate(atOffset: 0)
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

    /// Appends one result as one line, written whole.
    func append(_ result: MapResult) {
        let line = Data((result.json.jsonString + "\n").utf8)
        handle.withLock { $0?.write(line) }
    }

    func close() {
        handle.withLock { handle in
            try? handle?.close()
            handle = nil
        }
    }
}

import Synchronization
