import Foundation

/// Map results saved as they finish, one JSON line per chunk (`<output>.map.jsonl`), so that a re-run
/// skips the chunks already done. A line cut short by a kill is ignored (the chunk runs again).
final class MapResultsFile: Sendable {
    let path: String
    private let handle: Mutex<FileHandle?>

    /// Opens (creating) the file for appending.
    init(path: String) throws(MapError) {
        self.path = path
        if !FileManager.default.fileExists(atPath: path), !FileManager.default.createFile(atPath: path, contents: nil) {
            throw MapError("cannot create the map results file \(path)")
        }
        guard let handle = FileHandle(forWritingAtPath: path) else { throw MapError("cannot open the map results file \(path)") }
        handle.seekToEndOfFile()
        self.handle = Mutex(handle)
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
