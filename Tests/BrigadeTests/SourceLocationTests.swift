import Testing

@testable import BrigadeCore
@testable import BrigadeWorkspace

@Suite("Source locations")
struct SourceLocationTests {
    @Test func theFileIsInternedAndReadBack() {
        let first = SourceLocation(file: "/tmp/tools/search.yaml", line: 3, column: 7)
        let again = SourceLocation(file: "/tmp/tools/" + "search.yaml", line: 3, column: 7)
        let other = SourceLocation(file: "/tmp/tools/fetch.yaml", line: 3, column: 7)
        #expect(first.file == "/tmp/tools/search.yaml")
        #expect(first == again)
        #expect(first.hashValue == again.hashValue)
        #expect(first != other)
        #expect(Set([first, again, other]).count == 2)
        #expect(first.description == "/tmp/tools/search.yaml:3:7")
    }

    @Test func settingTheFileRenamesOnlyThatLocation() {
        var moved = SourceLocation(file: "a.yaml", line: 1, column: 2)
        let kept = moved
        moved.file = "b.yaml"
        #expect(moved.file == "b.yaml")
        #expect(kept.file == "a.yaml")
        #expect(moved == SourceLocation(file: "b.yaml", line: 1, column: 2))
    }

    @Test func namesWithAnyBytesSurviveInterning() {
        let names = ["", "ü/ß.yaml", String(repeating: "long/", count: 40) + "x.yaml", "tools/x.yaml\u{0}"]
        for name in names {
            #expect(SourceLocation(file: name, line: 1, column: 1).file == name)
        }
    }

    @Test func everyNodeOfAParsedFileNamesTheFile() throws {
        let file = "/tmp/interned/" + String(repeating: "deep/", count: 8) + "tool.yaml"
        let root = try #require(try YAMLLoader.parse("a:\n  b: [1, {c: 2}]\n", file: file))
        var stack = [root]
        var seen = 0
        while let node = stack.popLast() {
            seen += 1
            #expect(node.location.file == file)
            for pair in node.pairs ?? [] {
                #expect(pair.keyLocation.file == file)
                stack.append(pair.value)
            }
            stack.append(contentsOf: node.items ?? [])
        }
        #expect(seen == 6)
    }
}
