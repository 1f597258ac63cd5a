import BrigadeCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// How an http tool turns a response body into text for a model.
enum ResponseText {
    static func isHTML(_ contentType: String) -> Bool {
        let type = contentType.lowercased()
        return type.hasPrefix("text/html") || type.hasPrefix("application/xhtml")
    }

    /// Images, audio, archives and the like, or bytes that are not UTF-8 text.
    static func isBinary(_ bytes: [UInt8], contentType: String) -> Bool {
        let type = contentType.lowercased()
        for prefix in ["image/", "audio/", "video/", "font/", "application/octet-stream", "application/zip", "application/pdf", "application/gzip"]
        where type.hasPrefix(prefix) {
            return true
        }
        if bytes.prefix(8192).contains(0) { return true }
        // Allow a character cut by the read limit at the end.
        return String(validating: bytes, as: UTF8.self) == nil && String(validating: bytes.dropLast(3), as: UTF8.self) == nil
    }
}

enum HTTPStatusText {
    static func reason(_ status: Int) -> String? {
        switch status {
        case 200: "OK"
        case 201: "Created"
        case 202: "Accepted"
        case 204: "No Content"
        case 301: "Moved Permanently"
        case 302: "Found"
        case 304: "Not Modified"
        case 307: "Temporary Redirect"
        case 308: "Permanent Redirect"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 409: "Conflict"
        case 410: "Gone"
        case 413: "Content Too Large"
        case 415: "Unsupported Media Type"
        case 422: "Unprocessable Content"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        default: nil
        }
    }
}

/// A rough HTML-to-text reduction: drops scripts, styles and comments, turns block elements into line
/// breaks and list items into "- " lines, decodes common entities (numeric ones of control characters
/// become U+FFFD), and collapses whitespace.
enum HTMLText {
    private static let dropped: Set<String> = ["script", "style", "noscript", "svg", "template", "head", "title"]
    private static let blocks: Set<String> = [
        "p", "div", "br", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "header", "footer", "nav",
        "ul", "ol", "table", "pre", "blockquote", "hr", "main", "aside", "dl", "dt", "dd", "figure", "form", "title",
    ]

    static func plainText(_ html: String) -> String {
        var out = ""
        var title: String?
        if let open = html.rangeIgnoringASCIICase(of: "<title"),
            let start = html[open.upperBound...].firstIndex(of: ">"),
            let end = html.rangeIgnoringASCIICase(of: "</title", from: start)
        {
            title = decodeEntities(html[html.index(after: start)..<end.lowerBound]).trimmingWhitespaceAndNewlines()
        }
        var rest = Substring(html)
        while let open = rest.firstIndex(of: "<") {
            out += decodeEntities(rest[..<open])
            rest = rest[open...]
            if rest.hasPrefix("<!--") {
                rest = rest.firstRange(of: "-->").map { rest[$0.upperBound...] } ?? ""
                continue
            }
            guard let close = rest.firstIndex(of: ">") else { rest = ""; break }
            let tag = rest[rest.index(after: rest.startIndex)..<close]
            rest = rest[rest.index(after: close)...]
            let isClosing = tag.hasPrefix("/")
            let name = tag.drop { $0 == "/" }.prefix { $0.isLetter || $0.isNumber }.lowercased()
            if !isClosing, dropped.contains(name) {
                rest = rest.rangeIgnoringASCIICase(of: "</\(name)").map { rest[$0.upperBound...] } ?? ""
                if let end = rest.firstIndex(of: ">") { rest = rest[rest.index(after: end)...] }
                continue
            }
            if name == "li", !isClosing { out += "\n- " } else if blocks.contains(name) { out += "\n" } else if name == "td" || name == "th" { out += " " }
        }
        out += decodeEntities(rest)
        var lines: [String] = []
        var blank = false
        for line in out.split(separator: "\n", omittingEmptySubsequences: false) {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\u{A0}" })
            if words.isEmpty || words == ["-"] {
                if !blank, !lines.isEmpty { lines.append("") }
                blank = true
            } else {
                lines.append(words.joined(separator: " "))
                blank = false
            }
        }
        while lines.last == "" { lines.removeLast() }
        let body = lines.joined(separator: "\n")
        guard let title, !title.isEmpty else { return body }
        return "Title: \(title)\n\n" + body
    }

    static func decodeEntities(_ text: Substring) -> String {
        guard text.contains("&") else { return String(text) }
        var out = ""
        var rest = text
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            rest = rest[amp...]
            guard let semicolon = rest.prefix(12).firstIndex(of: ";") else {
                out += "&"
                rest = rest.dropFirst()
                continue
            }
            let entity = rest[rest.index(after: rest.startIndex)..<semicolon]
            if let decoded = decode(entity) {
                out += decoded
                rest = rest[rest.index(after: semicolon)...]
            } else {
                out += "&"
                rest = rest.dropFirst()
            }
        }
        return out + rest
    }

    private static func decode(_ entity: Substring) -> String? {
        switch entity {
        case "amp": return "&"
        case "lt": return "<"
        case "gt": return ">"
        case "quot": return "\""
        case "apos": return "'"
        case "nbsp": return " "
        case "mdash": return "—"
        case "ndash": return "–"
        case "hellip": return "…"
        case "copy": return "©"
        default:
            guard entity.hasPrefix("#") else { return nil }
            let digits = entity.dropFirst()
            let value = digits.hasPrefix("x") || digits.hasPrefix("X") ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits)
            // `&#x1b;` must not become a real ESC (nor any other control but newline and tab): the
            // text reaches a model and, through it, maybe a terminal.
            guard let scalar = value.flatMap(Unicode.Scalar.init) else { return nil }
            return ControlCharacters.isControl(scalar, keepingLineBreaks: true) ? "\u{FFFD}" : String(Character(scalar))
        }
    }
}
