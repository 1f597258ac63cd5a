#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Reads the sources of a map: files, folders (every regular file below, in name order, hidden ones
/// skipped) or standard input's text.
public enum MapInput {
    /// The sources at `paths`. A binary file named directly is an error; one found in a folder is
    /// skipped and listed in `skipped`.
    /// - Throws: ``MapError`` for a missing path, an unreadable file, or a binary file named directly.
    public static func load(_ paths: [String]) throws(MapError) -> (sources: [MapSource], skipped: [String]) {
        var sources: [MapSource] = []
        var skipped: [String] = []
        let manager = FileManager.default
        for path in paths {
            var isDirectory = false
            guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else { throw MapError("no such file or folder: \(path)") }
            if isDirectory {
                let names = ((try? manager.subpathsOfDirectory(atPath: path)) ?? []).sorted()
                for name in names where !name.split(separator: "/").contains(where: { $0.hasPrefix(".") }) {
                    let file = path + "/" + name
                    var nested = false
                    guard manager.fileExists(atPath: file, isDirectory: &nested), !nested else { continue }
                    switch read(file) {
                    case .success(let source): sources.append(source)
                    case .failure(let error): skipped.append("\(file): \(error.message)")
                    }
                }
            } else {
                switch read(path) {
                case .success(let source): sources.append(source)
                case .failure(let error): throw error
                }
            }
        }
        return (sources, skipped)
    }

    /// Text read from standard input (the CLI's `-`).
    public static func source(named name: String, data: [UInt8]) throws(MapError) -> MapSource {
        guard let text = text(of: data) else { throw MapError("\(name) is binary (not UTF-8 text); nothing to map") }
        return MapSource(name: name, text: text)
    }

    static func read(_ path: String) -> Result<MapSource, MapError> {
        guard let data = FileManager.default.contents(atPath: path) else { return .failure(MapError("cannot read \(path)")) }
        guard let text = text(of: Array(data)) else { return .failure(MapError("\(path) is binary (not UTF-8 text); it cannot be mapped")) }
        return .success(MapSource(name: path, text: text))
    }

    /// The text of UTF-8 bytes without NUL; `nil` for anything else (binary).
    static func text(of bytes: [UInt8]) -> String? {
        guard !bytes.contains(0) else { return nil }
        return String(validating: bytes, as: UTF8.self)
    }
}
