import Brigade
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

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
        DetachedThread.start {
            var splitter = LineSplitter(maxLineBytes: maxLineBytes)
            var number = 0
            func yield(_ piece: LineSplitter.Piece) {
                number += 1
                switch piece {
                case .line(let bytes): continuation.yield(.text(String(decoding: bytes, as: UTF8.self), number: number))
                case .oversized(let size): continuation.yield(.tooLong(bytes: size, number: number))
                }
            }
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                for piece in splitter.append(buffer[..<count]) { yield(piece) }
            }
            if let last = splitter.finish() { yield(last) }
            continuation.finish()
        }
        return stream
    }
}
