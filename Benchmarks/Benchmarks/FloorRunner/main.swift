// floor-runner http  BASE_URL TEMPLATE ITEMS CONCURRENCY
// floor-runner batch BASE_URL ITEMS CONCURRENCY
// BRIGADE_BENCH_MODEL_SERVER=1 floor-runner   (the benchmark model server; prints its port)
//
// Brigade's layers of Benchmarks/Floor (README.md there), each printing one JSON line like the C
// floors beside it: items, failed, seconds (wall), cpu_us (user + system of this process over the
// items only, getrusage; also split into user_us and system_us).
//
// - `http`: CurlHTTP alone. ITEMS streaming POSTs of the captured request TEMPLATE (raw HTTP/1.1,
//   `{ITEM}` in the body where the item number goes), CONCURRENCY at once from a task group,
//   through `HTTPClient.withStream`, each stream parsed by `ServerSentEventParser` up to
//   `data: [DONE]` (as the OpenAI client reads it; no JSON decoding).
// - `batch`: the whole batch (`BatchWorkload`, the BatchBenchmarks row): BatchEngine,
//   AgentBatchRunner, OpenAIChatClient, CurlHTTP, the results file.
import BenchSupport
import CurlHTTP
import Foundation

ModelServerProcess.serveIfRequested()

struct Measured {
    var layer: String
    var items: Int
    var failed: Int
    var seconds: Double
    var userMicroseconds: Int
    var systemMicroseconds: Int

    var json: String {
        "{\"layer\": \"\(layer)\", \"items\": \(items), \"failed\": \(failed), \"seconds\": \(String(format: "%.6f", seconds)), "
            + "\"cpu_us\": \(userMicroseconds + systemMicroseconds), \"user_us\": \(userMicroseconds), \"system_us\": \(systemMicroseconds)}"
    }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("floor-runner: \(message)\n".utf8))
    exit(64)
}

/// The captured request: its path, its headers but Host and Content-Length (and Accept-Encoding,
/// which CurlHTTP adds itself as the batch's client does), its body around `{ITEM}`.
struct RequestTemplate {
    var path: String
    var headers: HTTPHeaders
    var before: [UInt8]
    var after: [UInt8]

    init(path file: String) throws {
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: file)))
        let text = String(decoding: bytes, as: UTF8.self)
        guard let headEnd = text.range(of: "\r\n\r\n") else { fail("\(file): no end of head") }
        var lines = text[..<headEnd.lowerBound].components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count == 3 else { fail("\(file): bad request line") }
        path = String(requestLine[1])
        headers = HTTPHeaders()
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = String(line[..<colon])
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if ["host", "content-length", "accept-encoding"].contains(name.lowercased()) { continue }
            headers.add(name: name, value: value)
        }
        let body = String(text[headEnd.upperBound...])
        guard let marker = body.range(of: "{ITEM}") else { fail("\(file): no {ITEM} in the body") }
        before = Array(body[..<marker.lowerBound].utf8)
        after = Array(body[marker.upperBound...].utf8)
    }

    func body(item: Int) -> [UInt8] { before + Array(String(item).utf8) + after }
}

/// One streamed exchange: true when the status is 200 and the stream reached `data: [DONE]`.
func exchange(_ client: HTTPClient, _ request: HTTPRequest) async -> Bool {
    do {
        return try await client.withStream(request) { head, body in
            guard head.status == 200 else { return false }
            // The model streams' path: events' data as bytes in one reused batch.
            var parser = ServerSentEventParser()
            var events = ServerSentEventBatch()
            for try await chunk in body {
                try parser.feed(chunk, into: &events)
                if events.contains(where: { $0.data.elementsEqual("[DONE]".utf8) }) { return true }
            }
            return false
        }
    } catch {
        FileHandle.standardError.write(Data("floor-runner: \(error)\n".utf8))
        return false
    }
}

func runHTTP(baseURL: String, template: RequestTemplate, items: Int, concurrency: Int) async -> Measured {
    let client = BatchWorkload.httpClient
    let origin = baseURL.hasSuffix("/v1") ? String(baseURL.dropLast(3)) : baseURL
    let url = origin + template.path
    let before = ResourceUsage.current()
    let start = ContinuousClock.now
    let failed = await withTaskGroup(of: Bool.self) { group in
        var next = 1
        func add() {
            let request = HTTPRequest(method: "POST", url: url, headers: template.headers, body: template.body(item: next))
            next += 1
            group.addTask { await exchange(client, request) }
        }
        while next <= min(concurrency, items) { add() }
        var failed = 0
        while let ok = await group.next() {
            if !ok { failed += 1 }
            if next <= items { add() }
        }
        return failed
    }
    let elapsed = ContinuousClock.now - start
    let after = ResourceUsage.current()
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    return Measured(
        layer: "curlhttp", items: items, failed: failed, seconds: seconds, userMicroseconds: after.userMicroseconds - before.userMicroseconds,
        systemMicroseconds: after.systemMicroseconds - before.systemMicroseconds)
}

let arguments = Array(CommandLine.arguments.dropFirst())
let measured: Measured
switch arguments.first {
case "http" where arguments.count == 5:
    guard let items = Int(arguments[3]), let concurrency = Int(arguments[4]) else { fail("bad numbers") }
    let template = try RequestTemplate(path: arguments[2])
    measured = await runHTTP(baseURL: arguments[1], template: template, items: items, concurrency: concurrency)
case "batch" where arguments.count == 4:
    guard let items = Int(arguments[2]), let concurrency = Int(arguments[3]) else { fail("bad numbers") }
    let outcome = try await BatchWorkload.run(baseURL: arguments[1], items: items, concurrency: concurrency)
    measured = Measured(
        layer: "batch", items: items, failed: items - outcome.summary.ok, seconds: outcome.seconds, userMicroseconds: outcome.userMicroseconds,
        systemMicroseconds: outcome.systemMicroseconds)
default:
    fail("usage: floor-runner http BASE_URL TEMPLATE ITEMS CONCURRENCY | batch BASE_URL ITEMS CONCURRENCY")
}
print(measured.json)
exit(measured.failed == 0 ? 0 : 1)
