import Testing
import Brigade
import BrigadeTesting
@testable import BrigadeCore
@testable import BrigadeProviders

/// The OpenAI assembler reads common chunks without a JSON tree (`OpenAIChunkFields`) and gives
/// every other payload to the tree path: both must give the same deltas, errors and answer.
@Suite("OpenAI chunk scan", .timeLimit(.minutes(1)))
struct OpenAIChunkScanTests {
    /// What one path made of a stream: each payload's delta or error, then the answer or its error.
    struct Outcome: Equatable, CustomStringConvertible {
        var steps: [String] = []
        var end = ""
        var outputBytes = 0
        var description: String { (steps + [end, "bytes \(outputBytes)"]).joined(separator: "\n") }
    }

    /// How a payload reaches the assembler: as a `String` read as a tree, as a `String` scanned
    /// first, or as the stream's bytes (what the transport passes).
    enum Path { case tree, scannedText, bytes }

    func feed(_ payloads: [[UInt8]], path: Path, cap: Int = 1 << 20) -> Outcome {
        var assembler = OpenAIStreamAssembler(maxToolArgumentBytes: cap)
        var outcome = Outcome()
        for payload in payloads {
            do throws(ModelError) {
                let delta = switch path {
                case .tree: try assembler.consume(data: String(decoding: payload, as: UTF8.self), scanning: false)
                case .scannedText: try assembler.consume(data: String(decoding: payload, as: UTF8.self), scanning: true)
                case .bytes: try assembler.consume(data: payload[...])
                }
                outcome.steps.append("delta \(String(describing: delta))")
            } catch {
                outcome.steps.append("error \(error.code) \(error.status.map(String.init) ?? "-") \(error.message)")
            }
        }
        do throws(ModelError) {
            outcome.end = "response \(try assembler.response())"
        } catch {
            outcome.end = "error \(error.code) \(error.message)"
        }
        outcome.outputBytes = assembler.outputBytes
        return outcome
    }

    func expectSamePaths(_ payloads: [String], cap: Int = 1 << 20, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        expectSamePaths(bytes: payloads.map { Array($0.utf8) }, cap: cap, sourceLocation: sourceLocation)
    }

    func expectSamePaths(bytes payloads: [[UInt8]], cap: Int = 1 << 20, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let tree = feed(payloads, path: .tree, cap: cap)
        let scanned = feed(payloads, path: .scannedText, cap: cap)
        let bytes = feed(payloads, path: .bytes, cap: cap)
        #expect(scanned == tree, "payloads: \(payloads.map { String(decoding: $0, as: UTF8.self) })", sourceLocation: sourceLocation)
        #expect(bytes == tree, "payloads (bytes): \(payloads)", sourceLocation: sourceLocation)
    }

    static let head = #"{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","system_fingerprint":null,"choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}"#
    static let toolHead = #"{"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"weather","arguments":""}}]},"finish_reason":null}]}"#
    static let fragment = #"{"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\": \"Par\u00efs \ud83d\ude00\"}"}}]}}]}"#
    static let finish = #"{"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}"#
    static let usage = #"{"id":"c","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":7,"prompt_tokens_details":{"cached_tokens":4}}}"#

    @Test func aTypicalToolCallStreamIsTheSameBothWays() {
        expectSamePaths([Self.head, Self.toolHead, Self.fragment, Self.finish, Self.usage, "[DONE]"])
        expectSamePaths([Self.head, #"{"choices":[{"index":0,"delta":{"content":"Hel"}}]}"#, #"{"choices":[{"delta":{"content":"lo \"x\"","refusal":"no"}}]}"#, Self.finish])
    }

    @Test func typicalChunksAreScannedAndOddOnesHandedToTheTreePath() {
        func scans(_ payload: String) -> Bool { Array(payload.utf8).withUnsafeBufferPointer { OpenAIChunkFields.scan($0) != nil } }
        for payload in [Self.head, Self.toolHead, Self.fragment, Self.finish, Self.usage] {
            #expect(scans(payload), "\(payload)")
        }
        let handedOn = [
            #"{"error":{"message":"x"}}"#, #"{"object":"error"}"#, #"{"choices":[{"message":{}}]}"#,
            #"{"choices":[{"delta":{"function_call":{"name":"f"}}}]}"#, #"{"usage":{},"usage":{}}"#,
            #"{"choices":[{"delta":{"tool_calls":[1]}}]}"#, #"{"choices":[1]}"#, "[1]", #"{"a":1"#,
        ]
        for payload in handedOn {
            #expect(!scans(payload), "\(payload)")
        }
    }

    /// Odd but valid chunks, most of which the scan hands to the tree path.
    @Test(arguments: [
        #"{"error":null,"choices":[{"delta":{"content":"a"}}]}"#,
        #"{"error":{"message":"overloaded","type":"server_error"}}"#,
        #"{"object":"error","message":"context too long","code":400}"#,
        #"{"object":"chat.completion.chunk","object":"error","message":"x"}"#,
        #"{"object":"\u0065rror","message":"escaped"}"#,
        #"{"object":"err\\or","choices":[{"delta":{"content":"a"}}]}"#,
        #"{"object":"errors","choices":[{"delta":{"content":"a"}}]}"#,
        #"{"object":"erro","choices":[{"delta":{"content":"a"}}]}"#,
        #"{"object":5,"choices":[{"delta":{"content":"a"}}]}"#,
        #"{"object":null,"choices":[{"delta":{"content":"a"}}]}"#,
        "{\"object\":\"err\u{01}or\",\"choices\":[]}",
        #"{"choices":[{"delta":{"content":"a"}}],"choices":[{"delta":{"content":"b"}}]}"#,
        #"{"usage":{"prompt_tokens":1},"usage":null}"#,
        #"{"usage":[1],"choices":5}"#,
        #"{"choices":[],"usage":{"prompt_tokens":-1,"completion_tokens":"3","prompt_tokens_details":[1]}}"#,
        #"{"usage":{"prompt_tokens":1.0,"completion_tokens":2e0}}"#,
        #"{"usage":{"prompt_tokens":5,"prompt_tokens":6}}"#,
        #"{"usage":{"prompt_tokens_details":{"cached_tokens":3,"cached_tokens":4},"completion_tokens":1}}"#,
        #"{"usage":{"prompt_tokens_details":{"cached_tokens":null},"completion_tokens":null,"prompt_tokens":true}}"#,
        #"{"usage":{"prompt_tokens":2,"prompt_tokens_details":{"cached_tokens":-5,"audio_tokens":0},"extra":{"a":[1.5]}}}"#,
        #"{"usage":{"prompt_tokens":3,"completion_tokens":4,"prompt_tokens_details":null}}"#,
        #"{"usage":{"total_tokens":9}}"#, #"{"usage":{}}"#, #"{"usage":{"prompt_tokens":99999999999999999999}}"#,
        #"{"choices":[{"message":{"content":"whole"}}]}"#,
        #"{"choices":[{"delta":null,"message":{"content":"whole"}}]}"#,
        #"{"choices":[{"delta":"text","finish_reason":7}]}"#,
        #"{"choices":[7,{"delta":{"content":"a"}}]}"#,
        #"{"choices":[{"index":1,"delta":{"content":"other"},"finish_reason":"stop"}]}"#,
        #"{"choices":[{"index":"0","delta":{"content":"a"}}]}"#,
        #"{"choices":[{"index":0.0,"delta":{"content":"a"}},{"index":1e0,"delta":{"content":"b"}}]}"#,
        #"{"choices":[{"index":0,"index":1,"delta":{"content":"a"}}]}"#,
        #"{"choices":[{"delta":{"content":null,"refusal":""}}]}"#,
        #"{"choices":[{"delta":{"content":"a","content":"b"}}]}"#,
        #"{"choices":[{"delta":{"function_call":{"name":"old","arguments":"{}"}}}]}"#,
        #"{"choices":[{"delta":{"function_call":null,"content":"a"}}]}"#,
        #"{"choices":[{"delta":{"tool_calls":{"index":0}}}]}"#,
        #"{"choices":[{"delta":{"tool_calls":[]}}]}"#,
        #"{"choices":[{"delta":{"tool_calls":[null]}}]}"#,
        #"{"choices":[{"delta":{"tool_calls":[{"index":0,"id":5,"function":"f"}]}}]}"#,
        #"{"choices":[{"delta":{"tool_calls":[{"id":"x","function":{"name":"t","arguments":{"a":[1,2.5,true]}}}]}}]}"#,
        #"{"choices":[{"delta":{"tool_calls":[{"index":99999999999999999999,"function":{"name":"t"}}]}}]}"#,
        #"{"choices":[{"delta":{"tool_calls":[{"index":0,"index":1,"function":{"name":"t"}}]}}]}"#,
        #"{"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"name":"t","name":"u"}}]}}]}"#,
        #"{"choices":[{"delta":{"tool_calls":[{"index":-1,"id":"","function":{"name":"","arguments":null}}]}}]}"#,
        #"{"\u0063hoices":[{"delta":{"content":"escaped key"}}]}"#,
        #"{"extra":{"deep":[[[{"x":"\n\t\\"}]]],"n":-0.5e-3},"choices":[{"delta":{"content":"a"},"extra":[true,false,null]}]}"#,
        "  \n{\"choices\":[{\"delta\":{\"content\":\"spaced\"}}]}\r\n\t",
        "\u{00A0}{\"choices\":[{\"delta\":{\"content\":\"nbsp\"}}]}\u{2003}",
        "[1,2]", "\"text\"", "null", "{}", "", "  ", "[DONE]", " [DONE] ",
    ])
    func anOddChunkIsTheSameBothWays(payload: String) {
        expectSamePaths([Self.head, payload, Self.finish])
        expectSamePaths([Self.toolHead, payload, Self.fragment, "[DONE]"])
    }

    /// Malformed payloads: every cut of a rich chunk, and broken tokens inside it.
    @Test func everyCutAndBreakOfAChunkFailsTheSameBothWays() {
        let rich = #"{"id":"c","choices":[{"index":0,"delta":{"content":"é\"\u00e9","tool_calls":[{"index":0,"id":"call_a","function":{"name":"w","arguments":"{\"a\":1}"}}]},"finish_reason":null}],"usage":{"prompt_tokens":1},"n":[1.5e3,true,null]}"#
        let bytes = Array(rich.utf8)
        for cut in 0..<bytes.count {
            expectSamePaths([Self.head, String(decoding: bytes[..<cut], as: UTF8.self)])
        }
        let breaks = [
            ("true", "tru"), ("null]", "nul]"), ("1.5e3", "1.5e"), ("1.5e3", "01"), ("1.5e3", "1e400"), ("1.5e3", "-"),
            (#"\u00e9"#, #"\u00g9"#), (#"\u00e9"#, #"\x"#), ("é", "\u{01}"), (",\"usage\"", ",,\"usage\""),
            (":[{\"index\"", ":[,{\"index\""), ("}],\"usage\"", "},],\"usage\""), ("\"id\":\"c\"", "\"id\" \"c\""),
            ("}", "}}"),
        ]
        for (from, to) in breaks {
            let broken = rich.replacing(from, with: to, maxReplacements: 1)
            expectSamePaths([Self.head, broken, Self.finish])
            expectSamePaths([Self.head, broken + " x", Self.finish])
        }
    }

    /// The transport passes an event's data as the bytes received: invalid UTF-8 in a string,
    /// a key, a skipped value or around the payload reads as the U+FFFD that decoding the data as
    /// text would give, on the scan path and the tree path alike.
    @Test func invalidUTF8ReadsAsItsReplacementEitherWay() {
        let pieces: [[UInt8]] = [[0xFF], [0xE2, 0x82], [0xC3], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE9, 0x22]]
        for bad in pieces {
            let chunks: [[UInt8]] = [
                Array(#"{"choices":[{"delta":{"content":"a"#.utf8) + bad + Array(#"b"}}]}"#.utf8),
                Array(#"{"choices":[{"delta":{"content":""#.utf8) + bad + Array(#""}}]}"#.utf8),
                Array(#"{"id":""#.utf8) + bad + Array(#"","choices":[{"delta":{"content":"x"}}]}"#.utf8),
                Array(#"{"choices":[{"delta":{"tool_calls":[{"index":0,"id":"c"#.utf8) + bad + Array(#"","function":{"name":"w"#.utf8) + bad + Array(#"","arguments":"{"#.utf8) + bad + Array(#"}"}}]}}]}"#.utf8),
                Array(#"{"cho"#.utf8) + bad + Array(#"ices":[{"delta":{"content":"k"}}],"choices":[]}"#.utf8),
                bad + Array(#"{"choices":[{"delta":{"content":"edge"}}]}"#.utf8) + bad,
                Array(#"{"choices":[{"delta":{"content":"\u00e9"#.utf8) + bad + Array(#"\n"}}]}"#.utf8),
            ]
            for chunk in chunks {
                expectSamePaths(bytes: [Array(Self.head.utf8), chunk, Array(Self.finish.utf8)])
            }
        }
    }

    @Test func nestingPastTheParsersLimitFailsTheSameBothWays() {
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        expectSamePaths([#"{"extra":"# + deep + #","choices":[{"delta":{"content":"a"}}]}"#, Self.finish])
        let fits = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        expectSamePaths([#"{"extra":"# + fits + #","choices":[{"delta":{"content":"a"}}]}"#, Self.finish])
    }

    @Test func theArgumentCapFailsTheSameBothWays() {
        expectSamePaths([Self.toolHead, Self.fragment, Self.fragment, Self.finish], cap: 30)
    }

    /// Chunks changed at random (seeded, so every run checks the same ones): a byte replaced,
    /// removed or doubled.
    @Test func randomlyDamagedChunksAreTheSameBothWays() async {
        await offThePool {
            var generator = SplitMix64(seed: 17)
            let sources = [Self.head, Self.toolHead, Self.fragment, Self.finish, Self.usage]
            let alphabet = Array(#"{}[]",:0123456789-+.eE\"tfnulrsaxu "#.utf8)
            for _ in 0..<3_000 {
                var bytes = Array(sources[Int(generator.next() % UInt64(sources.count))].utf8)
                let position = Int(generator.next() % UInt64(bytes.count))
                switch generator.next() % 3 {
                case 0: bytes[position] = alphabet[Int(generator.next() % UInt64(alphabet.count))]
                case 1: bytes.remove(at: position)
                default: bytes.insert(bytes[position], at: position)
                }
                expectSamePaths([Self.toolHead, String(decoding: bytes, as: UTF8.self), Self.fragment, Self.finish])
            }
        }
    }
}
