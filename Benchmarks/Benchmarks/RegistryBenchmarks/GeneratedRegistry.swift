import Foundation

/// A tools folder of `toolCount` one-tool YAML files shaped like the shipped ones: half `command`
/// tools (three parameters, an argv with placeholders), a quarter `http` tools (URL and header
/// templates, a JSON body), a quarter `builtin` file tools.
struct GeneratedRegistry: Sendable {
    let toolCount: Int
    let directory: String

    init(toolCount: Int) {
        self.toolCount = toolCount
        self.directory = FileManager.default.temporaryDirectory.appendingPathComponent("brigade-bench-registry-\(UUID().uuidString)").path
    }

    /// Writes the files (replacing any earlier ones).
    func write() throws {
        remove()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for index in 0..<toolCount {
            let name = String(format: "tool_%04d", index)
            try Self.yaml(name: name, index: index).write(toFile: "\(directory)/\(name).yaml", atomically: false, encoding: .utf8)
        }
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    static func yaml(name: String, index: Int) -> String {
        switch index % 4 {
        case 0, 1:
            """
            name: \(name)
            description: >-
              Benchmark command tool \(index): looks up a query and prints at most `limit` results in
              the chosen format.
            kind: command
            parameters:
              type: object
              properties:
                query: {type: string, minLength: 1, maxLength: 200, description: What to look up.}
                limit: {type: integer, minimum: 1, maximum: 100, default: 10, description: How many results.}
                format: {type: string, enum: [text, json], default: text, description: The output format.}
              required: [query]
              additionalProperties: false
            command:
              argv: [echo, "--limit={{limit}}", "--format", "{{format}}", "{{query}}"]
              env: {BENCH_TOOL: "\(name)"}
            policy: {timeout: 10s, idempotent: true, max_output_bytes: 16384}

            """
        case 2:
            """
            name: \(name)
            description: Benchmark http tool \(index) that posts a search to a local service.
            kind: http
            parameters:
              type: object
              properties:
                term: {type: string, minLength: 1, description: The search term.}
                page: {type: integer, minimum: 1, default: 1}
              required: [term]
              additionalProperties: false
            http:
              method: POST
              url: "http://127.0.0.1:9/search/\(index)?q={{term}}"
              headers: {Accept: application/json}
              body: {term: "{{term}}", page: "{{page}}"}
              max_response_bytes: 65536
            policy: {timeout: 20s}

            """
        default:
            """
            name: \(name)
            description: Benchmark file tool \(index).
            kind: builtin
            builtin: {function: \(index % 8 == 3 ? "read_file" : "list_dir"), roots: ["."]}
            policy: {timeout: 5s, idempotent: true}

            """
        }
    }
}
