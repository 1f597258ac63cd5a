#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// libFuzzer's driver, started from the program's own `main`: SwiftPM links an executable target
/// with `main` set to the module's entry point, so libFuzzer's `main` cannot be the program's.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

@main
enum FuzzMain {
    static func main() {
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzOneInput))
    }
}

/// libFuzzer's entry point for every Brigade fuzz target. One binary holds them all (one build, one
/// link); `BRIGADE_FUZZ_TARGET` picks the target (`scripts/fuzz` sets it). A target returns
/// normally for any input Brigade refuses cleanly; a crash, an `assert`-like `fuzzCheck` failure, a
/// leak or a hang is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    FuzzTarget.selected.run(bytes)
    return 0
}

/// The fuzz targets, named as `scripts/fuzz` names them.
enum FuzzTarget: String, CaseIterable {
    case sse, yaml, json, schema, openai, anthropic, batch

    static let selected: FuzzTarget = {
        let name = getenv("BRIGADE_FUZZ_TARGET").map { String(cString: $0) } ?? ""
        guard let target = FuzzTarget(rawValue: name) else {
            let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
            writeError("BRIGADE_FUZZ_TARGET must be one of: \(names) (got \"\(name)\")\n")
            exit(2)
        }
        return target
    }()

    func run(_ bytes: [UInt8]) {
        switch self {
        case .sse: fuzzServerSentEvents(bytes)
        case .yaml: fuzzConfigYAML(bytes)
        case .json: fuzzJSON(bytes)
        case .schema: fuzzSchemaValidation(bytes)
        case .openai: fuzzOpenAIStream(bytes)
        case .anthropic: fuzzAnthropicStream(bytes)
        case .batch: fuzzBatchInput(bytes)
        }
    }
}

/// A property every input must keep; a failure aborts, which libFuzzer reports with the input.
func fuzzCheck(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() {
        writeError("fuzz property failed: \(message())\n")
        abort()
    }
}

/// Writes `text` to standard error.
func writeError(_ text: String) {
    let bytes = Array(text.utf8)
    _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}

/// The input's lines (split at LF), each decoded as UTF-8 (invalid bytes become U+FFFD).
func fuzzLines(_ bytes: [UInt8]) -> [String] {
    bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
}
