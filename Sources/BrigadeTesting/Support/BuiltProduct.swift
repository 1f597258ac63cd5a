import Foundation

/// The package's executables as built for the tests: `brigade`, `fake-model-server`,
/// `BatchCrashHarness`, `EmbeddedAgent` — in the products folder of the running test process.
public enum BuiltProduct {
    /// The products folder: where the running test binary is (outside its `.xctest` bundle, on
    /// layouts that have one), else `.build/debug` under the package root.
    public static let directory: String = {
        if let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            var folder = (executable as NSString).deletingLastPathComponent
            // The test runner may live inside `Foo.xctest/` (or be the bundle itself).
            while let bundle = folder.range(of: ".xctest", options: .backwards) {
                folder = (String(folder[..<bundle.upperBound]) as NSString).deletingLastPathComponent
            }
            return folder
        }
        return packageRoot + "/.build/debug"
    }()

    /// The package's root folder (for the shipped config, tools, routes, prompts and docs).
    public static let packageRoot: String = {
        let file = #filePath
        return file.range(of: "/Sources/BrigadeTesting/").map { String(file[..<$0.lowerBound]) } ?? "."
    }()

    /// The built executable `name`.
    public static func path(_ name: String) -> String { directory + "/" + name }

    /// The built `brigade` executable.
    public static var brigade: String { path("brigade") }
}
