import Brigade
import BrigadeSync
#if canImport(Glibc)
import Glibc
#endif

/// A fresh directory under /tmp, removed with its files at deinit.
final class BatchTempDirectory {
    let path: String

    init() {
        var template = Array("/tmp/brigade-batch-test-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.flatMap { mkdtemp($0) } }
        precondition(made != nil, "mkdtemp failed")
        path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    deinit {
        if let dir = opendir(path), let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name) {
            while let entry = readdir(dir) {
                // Read the name in place: a dirent may be shorter than `struct dirent`.
                let pointer = UnsafeRawPointer(entry).advanced(by: nameOffset).assumingMemoryBound(to: UInt8.self)
                let name = String(decoding: UnsafeBufferPointer(start: pointer, count: strlen(pointer)), as: UTF8.self)
                if name != "." && name != ".." { unlink(path + "/" + name) }
            }
            closedir(dir)
        }
        rmdir(path)
    }

    func file(_ name: String) -> String { path + "/" + name }

    func write(_ name: String, _ text: String) -> String {
        let target = file(name)
        let fd = open(target, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        precondition(fd >= 0, "cannot create \(target)")
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        close(fd)
        return target
    }

    func read(_ name: String) -> String {
        let fd = open(file(name), O_RDONLY)
        guard fd >= 0 else { return "" }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            bytes += chunk[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The parsed lines of a results file.
    func records(_ name: String) throws -> [BatchRecord] {
        try read(name).split(separator: "\n").map { try BatchRecord(parsing: Array($0.utf8)) }
    }
}

/// A deterministic runner: every item costs the same (or what `cost` says), items whose prompt starts
/// with "fail" fail, and each call is logged with the budget it got.
struct BatchFakeRunner: BatchItemRunner {
    struct Call: Sendable { var id: BatchItemID; var budget: BatchBudget }

    var usd = 1.0
    var inputTokens = 100
    var outputTokens = 10
    let calls = LockedState<[Call]>([])

    func run(_ item: BatchItem, budget: BatchBudget) async -> BatchItemOutcome {
        calls.withLock { $0.append(Call(id: item.id, budget: budget)) }
        await Task.yield()
        let usage = TokenUsage(inputTokens: inputTokens, outputTokens: outputTokens)
        if item.prompt.hasPrefix("fail") {
            return .failure("asked to fail", usage: usage, costUSD: usd, calls: 1)
        }
        return BatchItemOutcome(
            answer: "answer to \(item.prompt)", stopReason: "completed", usage: usage, costUSD: usd, calls: 2,
            timings: ["model": .milliseconds(3)]
        )
    }

    var ranIDs: [String] { calls.withLock { $0 }.map(\.id.key) }
}

/// JSON Lines input of `count` items with ids `item-1` … and optional extra JSON per item.
func batchInputText(_ count: Int, extra: (Int) -> String = { _ in "" }) -> String {
    (1...count).map { "{\"id\": \"item-\($0)\", \"prompt\": \"question \($0)\"\(extra($0))}" }.joined(separator: "\n") + "\n"
}
