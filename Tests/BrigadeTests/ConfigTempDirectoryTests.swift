import Foundation
import Testing

/// A fresh temporary folder, removed when the value is released.
final class ConfigTempDirectory {
    let path: String

    init() throws {
        let base = FileManager.default.temporaryDirectory.path
        path = base + "/brigade-config-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Writes `contents` to `name` (folders created as needed); returns the absolute path.
    @discardableResult
    func write(_ name: String, _ contents: String) throws -> String {
        let file = path + "/" + name
        let folder = (file as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try contents.write(toFile: file, atomically: false, encoding: .utf8)
        return file
    }

    func makeDirectory(_ name: String) throws -> String {
        let folder = path + "/" + name
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }
}

@Suite("Config temporary directory helper", .timeLimit(.minutes(1)))
struct ConfigTempDirectoryTests {
    @Test func writesAndRemoves() throws {
        var path = ""
        do {
            let directory = try ConfigTempDirectory()
            path = directory.path
            let file = try directory.write("a/b.txt", "x")
            #expect(try String(contentsOfFile: file, encoding: .utf8) == "x")
        }
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}
