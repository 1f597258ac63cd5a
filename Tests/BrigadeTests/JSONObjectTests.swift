import Testing

@testable import BrigadeCore

/// JSONObject keeps small objects as two arrays scanned in order and adds a key table past eight
/// keys: both forms must behave the same.
@Suite("JSON objects")
struct JSONObjectTests {
    private static func object(_ count: Int, reversed: Bool = false) -> JSONObject {
        let indices = reversed ? Array((0..<count).reversed()) : Array(0..<count)
        return JSONObject(indices.map { ("key\($0)", JSONValue.integer($0)) })
    }

    @Test(arguments: [0, 1, 8, 9, 40])
    func lookupsOrderAndEqualityHoldAtAnySize(count: Int) {
        let forward = Self.object(count)
        let backward = Self.object(count, reversed: true)
        #expect(forward.keys == (0..<count).map { "key\($0)" })
        #expect(forward.map(\.value) == (0..<count).map { JSONValue.integer($0) })
        for index in 0..<count { #expect(forward["key\(index)"] == .integer(index)) }
        #expect(forward["missing"] == nil)
        #expect(forward == backward)
        #expect(forward.hashValue == backward.hashValue)
        #expect(Set([JSONValue.object(forward), .object(backward)]).count == 1)
    }

    @Test(arguments: [3, 8, 9, 20])
    func updatesKeepThePositionAndRemovalsCloseTheGap(count: Int) {
        var object = Self.object(count)
        object["key1"] = "one"
        #expect(object.keys[1] == "key1")
        #expect(object["key1"] == "one")
        #expect(object.count == count)
        object["key0"] = nil
        #expect(object.count == count - 1)
        #expect(object["key0"] == nil)
        #expect(object.keys.first == "key1")
        for index in 2..<count { #expect(object["key\(index)"] == .integer(index)) }
        object["new"] = true
        #expect(object.keys.last == "new")
        #expect(object["new"] == true)
        object["absent"] = nil
        #expect(object.count == count)
    }

    @Test func objectsThatDifferInOneValueOrKeyDiffer() {
        let base = Self.object(12)
        var changed = base
        changed["key5"] = "five"
        #expect(base != changed)
        var renamed = base
        renamed["key11"] = nil
        renamed["other"] = 11
        #expect(base != renamed)
        #expect(base != Self.object(11))
        let small: JSONObject = ["a": 1, "b": [1, 2]]
        #expect(small == ["b": [1, 2], "a": 1])
        #expect(small != ["a": 1, "b": [2, 1]])
    }

    @Test func growingPastTheScanLimitKeepsEveryEarlierKey() {
        var object = JSONObject()
        for index in 0..<30 {
            object["k\(index)"] = .integer(index * 2)
            for earlier in 0...index { #expect(object["k\(earlier)"] == .integer(earlier * 2)) }
        }
        for index in stride(from: 0, to: 30, by: 3) { object["k\(index)"] = nil }
        #expect(object.count == 20)
        #expect(object.keys == (0..<30).filter { $0 % 3 != 0 }.map { "k\($0)" })
        for index in 0..<30 { #expect(object["k\(index)"] == (index % 3 == 0 ? nil : .integer(index * 2))) }
    }
}
