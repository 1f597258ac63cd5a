import Brigade
import BrigadeTesting

extension TemporaryFolder {
    /// A config.yaml for the fake model server: model `fake`, key in `$FAKE_KEY`, $1/$2 per million
    /// tokens, model routing.
    func writeFakeModelConfig(_ server: FakeModelServer) throws {
        try write("config.yaml", """
            model:
              provider: openai
              base_url: \(server.openAIBaseURL)
              model: fake
              api_key_env: FAKE_KEY
              price: {input_per_million: 1.0, output_per_million: 2.0}
            routing: model
            """)
    }
}

/// The JSON objects of an NDJSON text, one per line.
func ndjsonLines(_ text: String) throws -> [JSONValue] {
    try text.split(separator: "\n").map { try JSONValue(parsing: String($0)) }
}
