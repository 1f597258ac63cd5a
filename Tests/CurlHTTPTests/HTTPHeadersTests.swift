import Testing

@testable import CurlHTTP

@Suite("HTTP header names")
struct HTTPHeadersTests {
    @Test("Names match ASCII case-insensitively, whole names only")
    func namesMatchCaseInsensitively() {
        var headers: HTTPHeaders = ["Content-Type": "application/json", "X-Multi": "one"]
        headers.add(name: "x-multi", value: "two")
        #expect(headers.contains("content-type"))
        #expect(headers.contains("CONTENT-TYPE"))
        #expect(!headers.contains("Content-Typ"))
        #expect(!headers.contains("Content-Types"))
        #expect(!headers.contains("Content_Type"))
        #expect(!headers.contains(""))
        #expect(headers["x-MULTI"] == "one")
        #expect(headers.values(for: "X-MULTI") == ["one", "two"])
        headers.remove(name: "X-MULTI")
        #expect(!headers.contains("x-multi"))
        #expect(headers.count == 1)
    }

    @Test("Only ASCII letters fold: other bytes must be equal")
    func onlyASCIIFolds() {
        #expect(HTTPHeaders.namesMatch("ÄB", "ÄB"))
        #expect(!HTTPHeaders.namesMatch("äb", "ÄB"))
        #expect(!HTTPHeaders.namesMatch("@", "`"))  // 0x40 and 0x60 differ by the case bit but are not letters
        #expect(!HTTPHeaders.namesMatch("[", "{"))
        #expect(HTTPHeaders.namesMatch("Z", "z"))
        // A name built from a substring (not a native literal) compares the same.
        let built = String("xx-Accept-Encoding".dropFirst(3))
        #expect(HTTPHeaders.namesMatch(built, "accept-encoding"))
    }
}
