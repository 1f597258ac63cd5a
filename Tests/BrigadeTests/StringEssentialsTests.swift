import Foundation
import Testing

@testable import BrigadeCore

/// String+Essentials.swift replaces the full-Foundation calls the package made: each helper must
/// give what the Foundation call gave for the inputs the package passes (Foundation is the oracle here).
@Suite("String helpers without full Foundation")
struct StringEssentialsTests {
    static let samples = [
        "", " ", "\t plain \t", "\n\r\n text \u{2028}\u{85}", "\u{00A0}nbsp\u{3000}", " a b ", "x", "\n", "only\n",
        "é\u{301} ", " \u{1F600}\u{200B}",
    ]

    @Test func trimmingMatchesFoundationsCharacterSets() {
        for sample in Self.samples {
            #expect(sample.trimmingWhitespace() == sample.trimmingCharacters(in: .whitespaces), "\(sample.debugDescription)")
            #expect(
                sample.trimmingWhitespaceAndNewlines() == sample.trimmingCharacters(in: .whitespacesAndNewlines),
                "\(sample.debugDescription)")
            let substring = Substring(sample)
            #expect(substring.trimmingWhitespaceAndNewlines() == substring.trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }

    @Test func printfMatchesStringFormat() {
        let doubles = [0, 0.00004, 0.0049, 0.5, 1.005, 9.999, 12.345, 1234.5678, 1e-7, 3e9]
        for format in ["%.4f", "$%.2f", "%.1f s", "%.0fs", "%.2f×", "$%g input"] {
            for value in doubles {
                #expect(String(printf: format, value) == String(format: format, value), "\(format) \(value)")
            }
        }
        #expect(String(printf: "c%04ld", 7) == "c0007")
        #expect(String(printf: "c%04ld", 12345) == "c12345")
        let long = String(repeating: "x", count: 300)
        #expect(String(printf: "%.1f " + long, 2.25) == String(format: "%.1f " + long, 2.25))
    }

    /// NSString's documented results (Foundation's own implementation traps on some of these inputs here).
    @Test func deletingLastPathComponentAsNSStringDid() {
        let cases = ["/a/b/c": "/a/b", "/a/b/c/": "/a/b", "/a": "/", "/": "/", "a": "", "a/b": "a", "a/": "", "/x/runs.sqlite": "/x"]
        for (path, parent) in cases {
            #expect(path.deletingLastPathComponent == parent, "\(path)")
        }
    }

    @Test func paddingMatchesFoundationForASCIINames() {
        for (name, length) in [("git", 8), ("tool_name", 4), ("", 3), ("exact", 5)] {
            #expect(name.padded(toLength: length) == name.padding(toLength: length, withPad: " ", startingAt: 0))
        }
    }

    @Test func asciiCaseInsensitiveSearchMatchesFoundation() {
        let html = "<HTML><Title>Page</TITLE><body>é<ScRiPt>x</sCrIpT></body>"
        for needle in ["<title", "</title", "</script", "<body>", "missing", "é"] {
            let ours = html.rangeIgnoringASCIICase(of: needle)
            let theirs = html.range(of: needle, options: .caseInsensitive)
            #expect(ours == theirs, "\(needle)")
        }
        let start = html.rangeIgnoringASCIICase(of: "<body>")!.upperBound
        #expect(html.rangeIgnoringASCIICase(of: "<title", from: start) == nil)
        #expect(html[start...].rangeIgnoringASCIICase(of: "</SCRIPT") == html.range(of: "</script", options: .caseInsensitive))
        #expect("abc".rangeIgnoringASCIICase(of: "") == nil)
    }

    /// `String` has its own byte-wise version; it must find what the generic one (a `Substring`'s) finds.
    @Test func theStringSearchFindsWhatTheGenericOneFinds() {
        let texts = ["", "a", "text/event-stream", "Text/HTML; charset=utf-8", "application/JSON", "ééTEXT/htmlé", "xx\u{0301}text/html", "text/htm", "TEXT/HTMLTEXT/HTML", "🚀application/json🚀"]
        let needles = ["text/html", "application/json", "é", "T", "", "text/event-stream; charset", "html"]
        for text in texts {
            for needle in needles {
                let generic = text[...].rangeIgnoringASCIICase(of: needle)
                let bytewise = text.rangeIgnoringASCIICase(of: needle)
                #expect(bytewise == generic, "\(text) / \(needle)")
                for startOffset in 0...text.utf8.count {
                    let start = text.utf8.index(text.utf8.startIndex, offsetBy: startOffset)
                    #expect(text.rangeIgnoringASCIICase(of: needle, from: start) == text[...].rangeIgnoringASCIICase(of: needle, from: start), "\(text) / \(needle) from \(startOffset)")
                }
            }
        }
    }

    @Test func fileErrorsSayThePOSIXReason() {
        do {
            try FileManager.default.createDirectory(atPath: "/proc/self/no-such-folder/x", withIntermediateDirectories: true)
            Issue.record("creating a folder under /proc/self succeeded")
        } catch {
            let text = describeFileError(error)
            #expect(!text.isEmpty)
            #expect(!text.contains("CocoaError"), "\(text)")
        }
        #expect(describeFileError(POSIXError(.EACCES)) == "Permission denied")
    }
}
