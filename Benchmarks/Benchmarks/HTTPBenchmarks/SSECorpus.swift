/// A synthetic `text/event-stream` shaped like a model's streamed reply: mostly one-line JSON
/// deltas, some multi-line data, comments, ids and CRLF line ends.
enum SSECorpus {
    static func make(bytes target: Int) -> [UInt8] {
        var text = ""
        var index = 0
        while text.utf8.count < target {
            switch index % 10 {
            case 0:
                text += ": keep-alive\r\n\r\n"
            case 1:
                text += "id: \(index)\r\nevent: content_block_delta\r\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"path\\\": \\\"src/\(index)\"}}\r\n\r\n"
            case 2:
                text += "data: first line of \(index)\ndata: second line, naïve café ✓\n\n"
            default:
                text += "data: {\"id\":\"chatcmpl-\(index)\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"token \(index) \"},\"finish_reason\":null}]}\n\n"
            }
            index += 1
        }
        return Array(text.utf8)
    }
}
