@testable import CurlHTTP
import Testing

@Suite("Response head parser", .timeLimit(.minutes(1)))
struct ResponseHeadParserTests {
    static func feed(_ lines: [String]) -> (heads: [HTTPResponseHead], parser: ResponseHeadParser) {
        var parser = ResponseHeadParser()
        var heads: [HTTPResponseHead] = []
        for line in lines {
            if let head = parser.consume(line: Array(line.utf8)) { heads.append(head) }
        }
        return (heads, parser)
    }

    @Test("A plain head: status, fields in order, values trimmed")
    func plainHead() {
        let (heads, parser) = Self.feed(["HTTP/1.1 200 OK\r\n", "Content-Type:  text/plain \r\n", "Set-Cookie: a=1\r\n", "set-cookie:b=2\r\n", "\r\n"])
        #expect(heads.count == 1)
        #expect(heads.first?.status == 200)
        #expect(heads.first?.headers["content-type"] == "text/plain")
        #expect(heads.first?.headers.values(for: "Set-Cookie") == ["a=1", "b=2"])
        #expect(parser.isComplete)
    }

    @Test("Interim 1xx heads are skipped; the final head is returned once; trailers are ignored")
    func interimAndTrailers() {
        let (heads, _) = Self.feed([
            "HTTP/1.1 100 Continue\r\n", "\r\n",
            "HTTP/1.1 103 Early Hints\r\n", "Link: </a>\r\n", "\r\n",
            "HTTP/1.1 404 Not Found\r\n", "X-A: 1\r\n", "\r\n",
            "X-Trailer: t\r\n", "\r\n",
        ])
        #expect(heads == [HTTPResponseHead(status: 404, headers: ["X-A": "1"])])
    }

    @Test("HTTP/2 status lines, folded values, lines without a colon")
    func variants() {
        let (heads, _) = Self.feed(["HTTP/2 204\r\n", "X-Long: one\r\n", "  two\r\n", "garbage line\r\n", "\r\n"])
        #expect(heads == [HTTPResponseHead(status: 204, headers: ["X-Long": "one two"])])
    }

    @Test("Malformed status lines are not heads", arguments: ["HTTP/1.1 20 OK", "HTTP/1.1 abc", "HTTX/1.1 200", "HTTP/1.1"])
    func malformedStatus(line: String) {
        #expect(ResponseHeadParser.status(ofStatusLine: Array(line.utf8)) == nil)
        let (heads, _) = Self.feed([line + "\r\n", "\r\n"])
        #expect(heads.isEmpty)
    }
}
