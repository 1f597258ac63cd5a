#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import Logging

/// The CLI's logger: silent on a human's terminal, where errors are told as messages; debug logs on
/// stderr with `-v`; `BRIGADE_LOG=LEVEL` (trace, debug, info, notice, warning, error) sets a level.
enum CLILogger {
    static func make(verbose: Bool, environment: [String: String] = ProcessInfo.processInfo.environment) -> Logger {
        let level: Logger.Level? = verbose ? .debug : environment["BRIGADE_LOG"].map { Logger.Level(rawValue: $0.lowercased()) ?? .debug }
        guard let level else { return Logger(label: "brigade") { _ in SwiftLogNoOpLogHandler() } }
        var logger = Logger(label: "brigade") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = level
        return logger
    }
}
