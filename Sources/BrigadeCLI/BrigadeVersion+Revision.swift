import Brigade
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Subprocess

extension BrigadeVersion {
    /// "brigade 0.1.0", plus " (git 1a2b3c4)" when the binary runs from a checkout's build folder
    /// (`.build`, or a scratch path beside it such as `scripts/sanitize`'s `.build-asan`).
    static func description(executable: String) async -> String {
        var text = "brigade \(semantic)"
        if let revision = await checkoutRevision(executable: executable) { text += " (git \(revision))" }
        return text
    }

    /// The short revision of the checkout the binary was built in, if it was built in one.
    static func checkoutRevision(executable: String) async -> String? {
        let path = URL(fileURLWithPath: executable).resolvingSymlinksInPath().path
        let components = path.split(separator: "/", omittingEmptySubsequences: false)
        guard let build = components.firstIndex(where: { $0.hasPrefix(".build") }) else { return nil }
        let root = components[..<build].joined(separator: "/")
        guard FileManager.default.fileExists(atPath: root + "/.git"), FileManager.default.fileExists(atPath: root + "/Package.swift") else { return nil }
        guard let result = try? await Subprocess.run(
            .name("git"), arguments: ["-C", root, "rev-parse", "--short", "HEAD"], output: .string(limit: 256), error: .discarded
        ), result.terminationStatus.isSuccess else { return nil }
        let revision = result.standardOutput.trimmingWhitespaceAndNewlines()
        return revision.isEmpty ? nil : revision
    }
}
