import Foundation

/// One line of the protocol's input.
enum InputLine: Sendable {
    /// The line's text, without its line break (a trailing `\r` is removed too).
    case text(String, number: Int)
    /// A line longer than the limit; its bytes were dropped.
    case tooLong(bytes: Int, number: Int)
}

/// Reads lines from a file descriptor on a thread of its own (blocking reads never hold a thread of
/// Swift's cooperative pool) and hands them over as an `AsyncStream`, which ends at end of file.
///
/// The thread lives until end of file or a read error; the stream buffers what the consumer has
/// not taken yet.
enum InputLines {
    static func stream(from descriptor: Int32, maxLineBytes: Int) -> AsyncStream<InputLine> {
        let (stream, continuation) = AsyncStream.makeStream(of: InputLine.self)
        let thread = Thread {
            var splitter = LineSplitter(maxLineBytes: maxLineBytes)
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                for line in splitter.feed(buffer[..<count]) { continuation.yield(line) }
            }
            if let last = splitter.finish() { continuation.yield(last) }
            continuation.finish()
        }
        thread.name = "brigade-stdin"
        thread.start()
        return stream
    }
}

/// Splits bytes into lines, dropping the bytes of lines over the limit. A pure state machine.
struct LineSplitter {
    let maxLineBytes: Int
    private var current: [UInt8] = []
    private var overflow = 0
    private var number = 0

    init(maxLineBytes: Int) {
        self.maxLineBytes = maxLineBytes
    }

    mutating func feed(_ bytes: ArraySlice<UInt8>) -> [InputLine] {
        var lines: [InputLine] = []
        for byte in bytes {
            if byte == UInt8(ascii: "\n") {
                lines.append(takeLine())
            } else if overflow > 0 || current.count >= maxLineBytes {
                overflow += overflow == 0 ? current.count + 1 : 1
                current.removeAll(keepingCapacity: false)
            } else {
                current.append(byte)
            }
        }
        return lines
    }

    /// The last line when the input does not end with a line break.
    mutating func finish() -> InputLine? {
        current.isEmpty && overflow == 0 ? nil : takeLine()
    }

    private mutating func takeLine() -> InputLine {
        number += 1
        defer {
            current.removeAll(keepingCapacity: true)
            overflow = 0
        }
        if overflow > 0 { return .tooLong(bytes: overflow, number: number) }
        if current.last == UInt8(ascii: "\r") { current.removeLast() }
        return .text(String(decoding: current, as: UTF8.self), number: number)
    }
}
