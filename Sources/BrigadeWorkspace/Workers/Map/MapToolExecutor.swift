#if canImport(Glibc)
import BrigadeCore
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The `map` builtin: a model maps a brief over files under the tool's roots (the `read_file` root
/// policy: nothing outside them is opened, through `..` or symbolic links). The map-reduce runs as
/// a child of the calling run — on its agent, with a budget carved from the caller's — and its
/// progress goes into the caller's event stream (``AgentEvent/mapProgress(_:)``), its workers' events
/// nested under the call (``AgentEvent/childRun(_:)``). The result is
/// the report: the answer, the chunk counts, every failed chunk, the sources cited.
struct MapToolExecutor: ToolExecutor {
    let roots: FileRoots
    let maxOutputBytes: Int
    /// The most bytes read from the files of one call.
    static let maxInputBytes = 32 << 20

    func call(_ arguments: JSONValue, context: ToolContext) async throws -> ToolOutput {
        guard let caller = CallingRun.current else { return ToolOutput(text: "error: `map` runs only inside an agent run", isError: true) }
        guard let brief = arguments["brief"]?.stringValue, !brief.trimmingWhitespaceAndNewlines().isEmpty else {
            return ToolOutput(text: "error: `brief` is required: say what to extract from every chunk", isError: true)
        }
        let paths = (arguments["paths"]?.arrayValue ?? []).compactMap(\.stringValue)
        guard !paths.isEmpty else { return ToolOutput(text: "error: `paths` names no file or folder", isError: true) }
        let sources: [MapSource]
        let skipped: [String]
        switch load(paths) {
        case .success(let loaded): (sources, skipped) = loaded
        case .failure(let problem): return ToolOutput(text: "error: \(problem.message)", isError: true)
        }
        var configuration = MapReduce.Configuration(
            brief: brief,
            chunker: MapChunker(maxTokens: arguments["chunk_tokens"]?.intValue ?? 1000, overlapTokens: arguments["overlap_tokens"]?.intValue ?? 0),
            concurrency: caller.agent.configuration.dispatch.maxParallelCalls)
        if let prompt = arguments["map_prompt"]?.stringValue, !prompt.isEmpty { configuration.mapPrompt = prompt }
        if let prompt = arguments["reduce_prompt"]?.stringValue, !prompt.isEmpty { configuration.reducePrompt = prompt }
        // Its workers make model calls only; each holds one call of room while it runs (returned unspent).
        configuration.limits.maxCallsPerRun = configuration.concurrency
        configuration.limits = caller.ledger.share(configuration.limits, ways: caller.batchSize)
        let throttle = MapProgressThrottle()
        let callID = context.callID
        let report: MapReport
        do {
            var mapReduce = MapReduce(agent: caller.agent, configuration: configuration)
            mapReduce.parent = (caller, callID)
            report = try await mapReduce.run(sources, parentBudget: caller.ledger) { progress in
                if throttle.admits(progress) { caller.emit(.mapProgress(MapProgressEvent(callID: callID, progress: progress))) }
            }
        } catch {
            return ToolOutput(text: "error: map not run: \(error.message)", isError: true)
        }
        var text = report.text
        if !skipped.isEmpty { text += "\nSkipped: " + skipped.joined(separator: "; ") }
        return ToolOutput(text: text, isError: report.failed.count == report.chunks.count)
    }

    /// The sources at `paths` (files, or folders: every regular file below, by name, hidden ones
    /// skipped), each opened through the roots. A binary file named directly is an error; one in a
    /// folder is skipped and named.
    func load(_ paths: [String]) -> Result<([MapSource], [String]), ToolCallProblem> {
        var sources: [MapSource] = []
        var skipped: [String] = []
        var budget = Self.maxInputBytes
        for requested in paths {
            let opened = roots.withOpened(requested, directory: false) { fd, path -> Result<(MapSource?, String), ToolCallProblem> in
                var info = stat()
                guard fstat(fd, &info) == 0 else { return .failure(ToolCallProblem("`\(requested)`: cannot read its status")) }
                if info.st_mode & S_IFMT == S_IFDIR { return .success((nil, path)) }
                return Self.read(fd, size: Int(info.st_size), shown: roots.displayPath(path), budget: &budget).map { ($0, path) }
            }
            switch opened {
            case .failure(let problem): return .failure(problem)
            case .success((let source?, _)): sources.append(source)
            case .success((nil, let folder)):
                let names = ((try? FileManager.default.subpathsOfDirectory(atPath: folder)) ?? []).sorted()
                for name in names where !name.split(separator: "/").contains(where: { $0.hasPrefix(".") }) {
                    let file = roots.withOpened(folder + "/" + name, directory: false) { fd, path -> Result<MapSource?, ToolCallProblem> in
                        var info = stat()
                        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return .success(nil) }
                        return Self.read(fd, size: Int(info.st_size), shown: roots.displayPath(path), budget: &budget).map { $0 }
                    }
                    switch file {
                    case .success(let source?): sources.append(source)
                    case .success(nil): continue
                    case .failure(let problem): skipped.append(problem.message)
                    }
                }
            }
        }
        return .success((sources, skipped))
    }

    /// The text of a regular file, within what is left of the call's input budget.
    static func read(_ fd: Int32, size: Int, shown: String, budget: inout Int) -> Result<MapSource, ToolCallProblem> {
        guard size <= budget else {
            return .failure(ToolCallProblem("`\(shown)`: the input is too large for one map call (at most \(maxInputBytes >> 20) MiB in all)"))
        }
        let bytes = FileBytes.read(fd, count: size)
        budget -= bytes.count
        guard let text = MapInput.text(of: bytes) else {
            return .failure(ToolCallProblem("`\(shown)` is binary (not UTF-8 text); it cannot be mapped"))
        }
        return .success(MapSource(name: shown, text: text))
    }
}

/// Lets through the map progress worth an event: each phase or reduce level as it starts, every
/// failure, each tenth of the chunks, and the last one (a 500-chunk map sends about 12, not 500).
final class MapProgressThrottle: Sendable {
    private let last = Mutex<(phase: MapProgress.Phase?, level: Int, tenth: Int, failed: Int)>((nil, 0, -1, 0))

    func admits(_ progress: MapProgress) -> Bool {
        last.withLock { last in
            let tenth = progress.total > 0 ? (progress.done + progress.failed) * 10 / progress.total : 0
            let finished = progress.done + progress.failed >= progress.total
            let admitted = last.phase != progress.phase || last.level != progress.level || tenth > last.tenth || progress.failed > last.failed || finished
            if admitted { last = (progress.phase, progress.level, tenth, progress.failed) }
            return admitted
        }
    }
}

import Synchronization
