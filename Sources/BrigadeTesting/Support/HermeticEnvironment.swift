import Foundation
import Subprocess
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The environment of a `brigade` child (or of an in-process `Workspace.load`) in a test: the test
/// process's own, without its user layer — `$XDG_CONFIG_HOME/brigade/` or `~/.config/brigade/`, where
/// `scripts/install` puts a `config.yaml` with a budget, tools and routes — and without
/// `$BRIGADE_CONFIG`. Either would be read as a configuration layer and change what the test sees.
///
/// A test about the user layer sets its own `XDG_CONFIG_HOME` (or `HOME`) on top.
public enum HermeticEnvironment {
    /// An empty folder, made once per test process and removed at its exit, that stands for
    /// `XDG_CONFIG_HOME`: there is no `brigade/` in it.
    public static let emptyConfigHome: String = {
        guard let path = folder?.path else { return "/nonexistent/brigade-no-user-layer" }
        atexit { try? FileManager.default.removeItem(atPath: HermeticEnvironment.emptyConfigHome) }
        return path
    }()

    /// Never released (a static): the folder goes when the process exits, not when a test ends.
    private static let folder = try? TemporaryFolder(prefix: "brigade-no-user-layer-")

    /// The variables a test changes in what it inherits: `XDG_CONFIG_HOME` to ``emptyConfigHome``,
    /// `BRIGADE_CONFIG` removed (`nil`).
    public static var changes: [String: String?] {
        ["XDG_CONFIG_HOME": emptyConfigHome, "BRIGADE_CONFIG": nil]
    }

    /// `base` (by default the test process's environment) with ``changes`` and then `extra` applied
    /// (a `nil` value removes the variable): for an in-process load, or a child given a dictionary.
    public static func inherited(
        _ extra: [String: String?] = [:], from base: [String: String] = ProcessInfo.processInfo.environment
    ) -> [String: String] {
        var environment = base
        for (name, value) in changes.merging(extra, uniquingKeysWith: { $1 }) { environment[name] = value }
        return environment
    }
}

extension Environment {
    /// ``HermeticEnvironment/inherited(_:from:)``: the environment of a `brigade` child started with Subprocess.
    public static func hermetic(
        _ extra: [String: String?] = [:], from base: [String: String] = ProcessInfo.processInfo.environment
    ) -> Environment {
        var entries: [Environment.Key: String] = [:]
        for (name, value) in HermeticEnvironment.inherited(extra, from: base) { entries[Environment.Key(stringLiteral: name)] = value }
        return .custom(entries)
    }
}
