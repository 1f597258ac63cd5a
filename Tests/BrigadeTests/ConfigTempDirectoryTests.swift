import BrigadeTesting
import Foundation
import Testing

/// A fresh temporary folder, removed when the value is released: a `TemporaryFolder`, whose writes
/// are plain `write(2)`s (Foundation's `String.write(toFile:)` ends each with an `fsync`, and a test
/// writing a thousand files would wait seconds for the disk on a thread of the cooperative pool).
final class ConfigTempDirectory {
    private let folder: TemporaryFolder
    var path: String { folder.path }

    init() throws {
        folder = try TemporaryFolder(prefix: "brigade-config-")
    }

    /// Writes `contents` to `name` (folders created as needed); returns the absolute path.
    @discardableResult
    func write(_ name: String, _ contents: String) throws -> String {
        try folder.write(name, contents)
    }

    func makeDirectory(_ name: String) throws -> String {
        try folder.makeDirectory(name)
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
