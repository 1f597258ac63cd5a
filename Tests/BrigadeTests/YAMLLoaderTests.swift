import Testing
#if canImport(Glibc)
import Glibc
#endif

import Brigade
@testable import BrigadeCore
@testable import BrigadeWorkspace

/// Parses `text` as `test.yaml`, expecting a document.
private func parse(_ text: String, limits: YAMLLoader.Limits = YAMLLoader.Limits()) throws -> YAMLNode {
    let node = try YAMLLoader.parse(text, file: "test.yaml", limits: limits)
    return try #require(node)
}

/// The error parsing `text` throws; fails the test when it parses.
private func parseError(_ text: String, limits: YAMLLoader.Limits = YAMLLoader.Limits()) -> ConfigError? {
    do {
        _ = try YAMLLoader.parse(text, file: "test.yaml", limits: limits)
        Issue.record("expected an error for: \(text)")
        return nil
    } catch {
        return error
    }
}

private func at(_ line: Int, _ column: Int) -> Brigade.SourceLocation {
    Brigade.SourceLocation(file: "test.yaml", line: line, column: column)
}

@Suite("YAML loader", .timeLimit(.minutes(1)))
struct YAMLLoaderTests {
    @Test func nodePositionsAreOneBased() throws {
        let root = try parse("name: demo\nlist:\n  - one\n  - \"two\"\nnested:\n    deep: 1\n")
        #expect(root.location == at(1, 1))
        let pairs = try #require(root.pairs)
        #expect(pairs.map(\.key) == ["name", "list", "nested"])
        #expect(pairs[0].keyLocation == at(1, 1))
        #expect(pairs[0].value.location == at(1, 7))
        let list = try #require(root["list"]?.items)
        #expect(list[0].location == at(3, 5))
        #expect(list[1].location == at(4, 5))
        #expect(root["nested"]?["deep"]?.location == at(6, 11))
        #expect(pairs[2].value.location == at(6, 5))
    }

    @Test(arguments: [
        ("true", JSONValue.bool(true)), ("True", .bool(true)), ("TRUE", .bool(true)),
        ("false", .bool(false)), ("False", .bool(false)), ("FALSE", .bool(false)),
        ("null", .null), ("Null", .null), ("NULL", .null), ("~", .null), ("", .null),
        ("0", .integer(0)), ("42", .integer(42)), ("-17", .integer(-17)), ("+5", .integer(5)), ("007", .integer(7)),
        ("0x1F", .integer(31)), ("0xff", .integer(255)), ("0o17", .integer(15)),
        ("1.5", .number(1.5)), ("-0.25", .number(-0.25)), ("1e3", .number(1000)), ("2.5E-1", .number(0.25)),
        (".5", .number(0.5)), ("1.", .number(1)), (".inf", .number(.infinity)), ("-.inf", .number(-.infinity)),
        ("+.INF", .number(.infinity)),
        ("99999999999999999999", .number(1e20)),
        ("yes", .string("yes")), ("no", .string("no")), ("on", .string("on")), ("1_000", .string("1_000")),
        ("0x", .string("0x")), ("0o8", .string("0o8")), ("1e", .string("1e")), ("-x", .string("-x")), (".", .string(".")),
        ("12abc", .string("12abc")), ("nulls", .string("nulls")), ("inf", .string("inf")), ("1.2.3", .string("1.2.3")),
        // Only these first bytes can start a null, boolean or number; others are strings at once.
        ("nan", .string("nan")), ("Nope", .string("Nope")), ("trueish", .string("trueish")), ("F", .string("F")),
        ("~x", .string("~x")), ("+", .string("+")), ("x12", .string("x12")), ("é1", .string("é1")), ("_1", .string("_1")),
    ])
    func plainScalarsResolveByTheCoreSchema(text: String, expected: JSONValue) throws {
        let root = try parse("value: \(text)\n")
        #expect(root["value"]?.scalarValue == expected)
        #expect(root["value"]?.scalarText == text)
    }

    @Test func nanResolvesToNaN() throws {
        for text in [".nan", ".NaN", ".NAN"] {
            let value = try parse("v: \(text)")["v"]?.scalarValue
            guard case .number(let number)? = value else {
                Issue.record("\(text) gave \(String(describing: value))")
                continue
            }
            #expect(number.isNaN)
        }
    }

    @Test func quotedAndBlockScalarsStayStrings() throws {
        let root = try parse("""
            a: "true"
            b: '12'
            c: "null"
            d: ""
            e: |
              1.5
            f: >-
              false
            g: 'it''s'
            h: "tab\\tnew"
            """)
        #expect(root["a"]?.scalarValue == .string("true"))
        #expect(root["b"]?.scalarValue == .string("12"))
        #expect(root["c"]?.scalarValue == .string("null"))
        #expect(root["d"]?.scalarValue == .string(""))
        #expect(root["e"]?.scalarValue == .string("1.5\n"))
        #expect(root["f"]?.scalarValue == .string("false"))
        #expect(root["g"]?.scalarValue == .string("it's"))
        #expect(root["h"]?.scalarValue == .string("tab\tnew"))
    }

    @Test func explicitTagsAreHonoured() throws {
        let root = try parse("""
            a: !!str 12
            b: !!int "12"
            c: !!float 3
            d: !!bool "true"
            e: !!null ""
            f: ! 12
            g: !!seq [1]
            h: !!map {x: 1}
            """)
        #expect(root["a"]?.scalarValue == .string("12"))
        #expect(root["b"]?.scalarValue == .integer(12))
        #expect(root["c"]?.scalarValue == .number(3))
        #expect(root["d"]?.scalarValue == .bool(true))
        #expect(root["e"]?.scalarValue == .null)
        #expect(root["f"]?.scalarValue == .string("12"))
        #expect(root["g"]?.json == [1])
        #expect(root["h"]?.json == ["x": 1])
    }

    @Test func tagsThatDoNotFitAreErrors() {
        let mismatch = parseError("a: 1\nb: !!int twelve\n")
        #expect(mismatch?.location == at(2, 4))
        #expect(mismatch?.message.contains("!!int") == true)
        let unknown = parseError("a: !custom 1\n")
        #expect(unknown?.location == at(1, 4))
        #expect(unknown?.message.contains("unsupported YAML tag `!custom`") == true)
        #expect(parseError("a: !!binary aGk=\n")?.message.contains("!!binary") == true)
        #expect(parseError("a: !!map [1]\n")?.location == at(1, 4))
    }

    @Test func jsonConversionKeepsKeyOrder() throws {
        let root = try parse("z: 1\na: [x, {k: v}]\nm: ~\n")
        guard case .object(let object) = root.json else {
            Issue.record("not an object")
            return
        }
        #expect(object.keys == ["z", "a", "m"])
        #expect(root.json == ["z": 1, "a": ["x", ["k": "v"]], "m": nil])
    }

    @Test func aliasesExpandAndPointAtTheirUse() throws {
        let root = try parse("""
            base: &b
              retries: 2
              tags: [a, b]
            copy: *b
            scalar: &s hello
            again: *s
            """)
        #expect(root["copy"]?.json == ["retries": 2, "tags": ["a", "b"]])
        #expect(root["again"]?.scalarValue == .string("hello"))
        #expect(root["again"]?.location == at(6, 8))
        #expect(root["copy"]?.location == at(4, 7))
    }

    @Test func mergeKeysInheritWithExplicitKeysWinning() throws {
        let root = try parse("""
            defaults: &d {timeout: 5s, retries: 1, confirm: false}
            more: &m {retries: 3, cost: 1}
            tool:
              name: x
              <<: [*d, *m]
              confirm: true
            quoted:
              "<<": literal
            """)
        #expect(root["tool"]?.json == ["name": "x", "timeout": "5s", "retries": 1, "confirm": true, "cost": 1])
        #expect(root["tool"]?.pairs?.map(\.key) == ["name", "timeout", "retries", "cost", "confirm"])
        #expect(root["quoted"]?["<<"]?.scalarValue == .string("literal"))
        #expect(parseError("a: &a 1\nb:\n  <<: *a\n")?.location == at(3, 7))
    }

    @Test func anAliasBombFailsFast() {
        var lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        for level in 1...9 {
            let previous = Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ")
            lines.append("a\(level): &a\(level) [\(previous)]")
        }
        let error = parseError(lines.joined(separator: "\n") + "\n")
        #expect(error?.message.contains("more than 250000 nodes") == true)
        // The limit trips inside the line that crosses it, well before the last level.
        #expect((error?.location?.line ?? 99) <= 7)
    }

    @Test func smallAliasesStayUnderACustomLimit() throws {
        let text = "a: &a [1, 2, 3]\nb: [*a, *a]\n"
        #expect(try parse(text, limits: YAMLLoader.Limits(maxNodes: 16))["b"]?.json == [[1, 2, 3], [1, 2, 3]])
        #expect(parseError(text, limits: YAMLLoader.Limits(maxNodes: 15))?.location == at(2, 9))
    }

    @Test func undefinedAndRecursiveAliasesAreErrors() {
        let undefined = parseError("a: 1\nb: *missing\n")
        #expect(undefined?.location == at(2, 4))
        #expect(undefined?.message.contains("undefined anchor") == true)
        let recursive = parseError("a: &x\n  b: *x\n")
        #expect(recursive?.location == at(2, 6))
        #expect(recursive?.message.contains("recursive") == true)
    }

    @Test func duplicateKeysNameBothPositions() {
        let error = parseError("name: a\nkind: http\nname: b\n")
        #expect(error?.location == at(3, 1))
        #expect(error?.message == "duplicate key `name` (first at test.yaml:1:1)")
        let nested = parseError("outer:\n  x: 1\n  y: 2\n  x: 3\n")
        #expect(nested?.location == at(4, 3))
        #expect(nested?.message.contains("first at test.yaml:2:3") == true)
        #expect(parseError("{a: 1, a: 2}")?.location == at(1, 8))
        // Past 16 keys the composer looks keys up in a table instead of scanning: same answers.
        let keys = (1...40).map { "k\($0): \($0)\n" }.joined()
        let late = parseError(keys + "k3: again\n")
        #expect(late?.location == at(41, 1))
        #expect(late?.message == "duplicate key `k3` (first at test.yaml:3:1)")
        let lateLast = parseError(keys + "k40: again\n")
        #expect(lateLast?.message == "duplicate key `k40` (first at test.yaml:40:1)")
        #expect(parseError("<<: {a: 1}\nb: 2\n<<: {c: 3}\n")?.message == "duplicate key `<<` (first at test.yaml:1:1)")
    }

    @Test func nonScalarAndNullKeysAreErrors() {
        let mappingKey = parseError("? {a: 1}\n: value\n")
        #expect(mappingKey?.location == at(1, 3))
        #expect(mappingKey?.message.contains("must be a scalar, not a mapping") == true)
        #expect(parseError("[a, b]: 1\n")?.message.contains("not a sequence") == true)
        #expect(parseError("~: 1\n")?.message.contains("must not be empty or null") == true)
    }

    @Test func emptyDocumentsAreNil() throws {
        #expect(try YAMLLoader.parse("", file: "e.yaml") == nil)
        #expect(try YAMLLoader.parse("# only a comment\n\n", file: "e.yaml") == nil)
        #expect(try YAMLLoader.parse("---\n", file: "e.yaml") == nil)
        #expect(try YAMLLoader.parse("---\n...\n", file: "e.yaml") == nil)
        #expect(try YAMLLoader.parse("null\n", file: "e.yaml")?.scalarValue == .null)
    }

    @Test func aSecondDocumentIsAnError() {
        let error = parseError("a: 1\n---\nb: 2\n")
        #expect(error?.location == at(2, 1))
        #expect(error?.message.contains("second") == true)
    }

    @Test func tabIndentationIsASyntaxErrorAtTheTab() {
        let error = parseError("tool:\n\tname: x\n")
        #expect(error?.location == at(2, 1))
        #expect(error?.message.contains("YAML syntax error") == true)
        #expect(error?.message.contains("tabs cannot indent YAML") == true)
    }

    @Test func unclosedQuoteNamesWhereTheQuoteStarted() {
        let error = parseError("a: 1\nb: \"open\nc: 2\n")
        #expect(error?.location == at(4, 1))
        #expect(error?.message.contains("while scanning a quoted scalar at line 2, column 4") == true)
    }

    @Test func badIndentationIsPlaced() {
        let error = parseError("a: 1\n b: 2\n")
        #expect(error?.location == at(2, 3))
        #expect(error?.message.contains("mapping values are not allowed") == true)
        let sequence = parseError("list:\n  - a\n - b\n")
        #expect(sequence?.location?.line == 3)
    }

    @Test func unclosedFlowCollectionIsPlaced() {
        let error = parseError("a: [1, 2\nb: 3\n")
        #expect(error?.location?.line == 2)
        #expect(error?.message.contains("flow sequence") == true)
    }

    @Test func invalidUTF8IsPlacedByByte() {
        let bytes: [UInt8] = Array("a: ok\nb: ".utf8) + [0xFF, 0x0A]
        do {
            _ = try YAMLLoader.parse(bytes: bytes, file: "test.yaml", limits: YAMLLoader.Limits())
            Issue.record("expected an encoding error")
        } catch {
            #expect(error.location == at(2, 4))
            #expect(error.message.contains("invalid YAML input"))
        }
    }

    @Test func nestingIsBounded() throws {
        let deep = String(repeating: "[", count: 300) + String(repeating: "]", count: 300)
        let error = parseError(deep)
        #expect(error?.message.contains("nested deeper than 256") == true)
        #expect(error?.location == at(1, 257))
        let fine = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(try parse(fine).items?.count == 1)
    }

    @Test func textStartPointsInsideVerbatimScalars() throws {
        let root = try parse("a: plain text\nb: \"quoted\"\nc: \"esc\\taped\"\nd: &x anchored\n")
        #expect(root["a"]?.location(ofTextOffset: 6) == at(1, 10))
        #expect(root["b"]?.location(ofTextOffset: 2) == at(2, 7))
        #expect(root["c"]?.location(ofTextOffset: 2) == at(3, 4))
        #expect(root["d"]?.location(ofTextOffset: 2) == at(4, 4))
    }

    /// Whether a scalar's text stands verbatim in its columns is decided when a message asks: text
    /// with multi-byte characters still counts, escapes and doubled quotes do not.
    @Test func textStartIsCheckedAgainstTheColumnsWhenAsked() throws {
        let root = try parse("a: ünïcode text\nb: 'it''s'\nc: \"\\u00e9t\u{e9}\"\nd: \"é\"\n")
        #expect(root["a"]?.location(ofTextOffset: 8) == at(1, 12))
        #expect(root["b"]?.location(ofTextOffset: 2) == at(2, 4))
        #expect(root["c"]?.location(ofTextOffset: 1) == at(3, 4))
        #expect(root["d"]?.location(ofTextOffset: 0) == at(4, 5))
    }

    @Test func loadsFilesAndReportsUnreadableOnes() throws {
        let directory = try ConfigTempDirectory()
        let path = try directory.write("doc.yaml", "key: [1, 2]\n")
        let root = try #require(try YAMLLoader.load(file: path))
        #expect(root.location == Brigade.SourceLocation(file: path, line: 1, column: 1))
        #expect(root["key"]?.json == [1, 2])
        do {
            _ = try YAMLLoader.load(file: directory.path + "/missing.yaml")
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("missing.yaml: no such file or directory"))
            #expect(error.location?.file == directory.path + "/missing.yaml")
        }
        do {
            _ = try YAMLLoader.load(file: directory.path)
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("is a directory"))
        }
    }

    /// The file is read into one buffer sized by `fstat`: a file larger than any fixed chunk reads
    /// whole, and the size limit still counts every byte.
    @Test func largeFilesReadWholeAndTheLimitHolds() throws {
        let directory = try ConfigTempDirectory()
        let lines = (0..<5000).map { "key_\($0): value \($0)" }
        let text = lines.joined(separator: "\n") + "\n"
        #expect(text.utf8.count > 100_000)
        let path = try directory.write("big.yaml", text)
        let root = try #require(try YAMLLoader.load(file: path))
        #expect(root.pairs?.count == 5000)
        #expect(root["key_4999"]?.scalarValue == .string("value 4999"))
        #expect(try YAMLLoader.load(file: path, limits: .init(maxFileBytes: text.utf8.count)) != nil)
        #expect {
            _ = try YAMLLoader.load(file: path, limits: .init(maxFileBytes: text.utf8.count - 1))
        } throws: { error in
            (error as? ConfigError)?.message == "cannot read \(path): larger than \(text.utf8.count - 1) bytes"
        }
    }

    /// A FIFO as `tools/x.yaml` or as `--config` hung the load forever (no writer ever came).
    @Test func aFIFOInPlaceOfAFileIsRefusedWithoutWaiting() throws {
        let directory = try ConfigTempDirectory()
        let fifo = directory.path + "/x.yaml"
        #expect(mkfifo(fifo, 0o600) == 0)
        #expect {
            _ = try YAMLLoader.load(file: fifo)
        } throws: { error in
            (error as? ConfigError)?.message == "cannot read \(fifo): not a regular file (a FIFO, device or socket)"
        }
    }
}
