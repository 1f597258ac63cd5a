#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// What `brigade ask` sends besides its prompt: piped standard input and `-f` files, each read up to a
/// cap and refused when binary.
struct AskInput {
    /// One piece of context: where it came from and its text (cut to the cap, with a note).
    struct Attachment: Equatable {
        var name: String
        var text: String
        /// The input was longer than the cap; `total` is its size when known (files, or stdin that ended).
        var wasCut = false
        var total: Int?
    }

    /// Reads at most `cap + 1` bytes of `descriptor` (so an endless pipe never hangs the command).
    /// - Returns: the bytes (at most `cap`), and whether there were more.
    static func read(_ descriptor: Int32, cap: Int) throws(CLIFailure) -> (bytes: [UInt8], more: Bool) {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while bytes.count <= cap {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress!, min($0.count, cap + 1 - bytes.count)) }
            if count < 0 {
                if errno == EINTR { continue }
                throw CLIFailure.usage("cannot read standard input: \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        let more = bytes.count > cap
        if more { bytes.removeLast(bytes.count - cap) }
        return (bytes, more)
    }

    /// Standard input as an attachment, or `nil` when it is empty.
    static func standardInput(cap: Int) throws(CLIFailure) -> Attachment? {
        let (bytes, more) = try read(STDIN_FILENO, cap: cap)
        if bytes.isEmpty && !more { return nil }
        let text = try decode(bytes, cut: more, name: "standard input", cap: cap)
        return Attachment(name: "stdin", text: text, wasCut: more, total: more ? nil : bytes.count)
    }

    /// A file as an attachment (`-` is standard input).
    static func file(_ path: String, cap: Int) throws(CLIFailure) -> Attachment {
        if path == "-" {
            return try standardInput(cap: cap) ?? Attachment(name: "stdin", text: "")
        }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw CLIFailure.usage("-f \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var info = stat()
        if fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
            throw CLIFailure.usage("-f \(path): is a directory")
        }
        let (bytes, more) = try read(descriptor, cap: cap)
        let text = try decode(bytes, cut: more, name: path, cap: cap)
        return Attachment(name: path, text: text, wasCut: more, total: more ? Int(info.st_size) : bytes.count)
    }

    /// The bytes as UTF-8 text; a NUL byte or invalid UTF-8 (other than a character cut by the cap)
    /// means binary input, which is refused.
    static func decode(_ bytes: [UInt8], cut: Bool, name: String, cap: Int) throws(CLIFailure) -> String {
        var kept = bytes[...]
        if cut {
            // Drop a character the cap split: at most 3 continuation bytes after a lead byte.
            var start = kept.endIndex
            while start > kept.startIndex, kept.endIndex - start < 4, kept[start - 1] & 0xC0 == 0x80 { start -= 1 }
            if start > kept.startIndex, kept[start - 1] >= 0xC0 { kept = kept[..<(start - 1)] }
        }
        guard !kept.contains(0), let text = String(validating: kept, as: UTF8.self) else {
            let size = cut ? "more than \(cap) bytes" : "\(bytes.count) bytes"
            throw CLIFailure.usage("\(name) is binary (\(size)); only text can be sent to the model")
        }
        return text
    }

    /// The request the run gets: the prompt, then each attachment as context.
    static func compose(prompt: String, attachments: [Attachment], cap: Int) -> String {
        guard !attachments.isEmpty else { return prompt }
        var text = prompt
        for attachment in attachments {
            text += "\n\n<input name=\"\(attachment.name)\">\n" + attachment.text
            if !attachment.text.hasSuffix("\n") { text += "\n" }
            text += "</input>"
            if attachment.wasCut { text += "\n" + cutNote(attachment, cap: cap) }
        }
        return text
    }

    /// "[stdin cut: the first 262144 bytes of 1048576 are shown]".
    static func cutNote(_ attachment: Attachment, cap: Int) -> String {
        let of = attachment.total.map { " of \($0)" } ?? ""
        return "[\(attachment.name) cut: the first \(cap) bytes\(of) are shown (--max-input-bytes)]"
    }
}
