import Brigade
import Foundation

extension BrigadeVersion {
    /// "brigade 0.1.0", plus " (git 1a2b3c4)" when the binary runs from a checkout's build folder
    /// (`.build`, or a scratch path beside it such as `scripts/sanitize`'s `.build-asan`).
    static func description(executable: String) -> String {
        var text = "brigade \(semantic)"
        if let revision = checkoutRevision(executable: executable) { text += " (git \(revision))" }
        return text
    }

    /// The short revision of the checkout the binary was built in, if it was built in one.
    static func checkoutRevision(executable: String) -> String? {
        let path = URL(fileURLWithPath: executable).resolvingSymlinksInPath().path
        let components = path.split(separator: "/", omittingEmptySubsequences: false)
        guard let build = components.firstIndex(where: { $0.hasPrefix(".build") }) else { return nil }
        let root = components[..<build].joined(separator: "/")
        guard FileManager.default.fileExists(atPath: root + "/.git"), FileManager.default.fileExists(atPath: root + "/Package.swift") else { return nil }
        let git = Process()
        git.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        git.arguments = ["git", "-C", root, "rev-parse", "--short", "HEAD"]
        let output = Pipe()
        git.standardOutput = output
        git.standardError = FileHandle.nullDevice
        do { try git.run() } catch { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        git.waitUntilExit()
        guard git.terminationStatus == 0 else { return nil }
        let revision = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return revision.isEmpty ? nil : revision
    }
}
