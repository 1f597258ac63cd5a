#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Standard input, read byte by byte on the caller's thread, while watching a ``WakePipe`` so that
/// Ctrl-C, a resize or a cancellation ends the wait at once.
///
/// Used from one thread at a time (the REPL's input queue): libedit's read callback and the approval
/// prompt both read through the one instance, so type-ahead buffered here is never lost.
final class TerminalInput: @unchecked Sendable {
    // @unchecked: the buffer is only touched by the thread reading, and the REPL reads from one serial
    // dispatch queue (see ChatInput).
    enum Event: Equatable {
        case byte(UInt8)
        case endOfFile
        /// The wake pipe said why the read stopped.
        case woken(Set<WakePipe.Reason>)
    }

    let fileDescriptor: Int32
    let wakePipe: WakePipe
    private var buffer: [UInt8] = []
    private var position = 0

    init(fileDescriptor: Int32 = STDIN_FILENO, wakePipe: WakePipe) {
        self.fileDescriptor = fileDescriptor
        self.wakePipe = wakePipe
    }

    /// The next byte, or why there is none. Blocks until input arrives or the wake pipe is written.
    func next() -> Event {
        if position < buffer.count {
            defer { position += 1 }
            return .byte(buffer[position])
        }
        while true {
            var descriptors = [
                pollfd(fd: fileDescriptor, events: Int16(POLLIN), revents: 0),
                pollfd(fd: wakePipe.readEnd, events: Int16(POLLIN), revents: 0),
            ]
            let ready = poll(&descriptors, 2, -1)
            if ready < 0 {
                if errno == EINTR { continue }
                return .endOfFile
            }
            if descriptors[1].revents != 0 {
                let reasons = wakePipe.drain()
                if !reasons.isEmpty { return .woken(reasons) }
            }
            if descriptors[0].revents != 0 {
                var chunk = [UInt8](repeating: 0, count: 4096)
                let count = read(fileDescriptor, &chunk, chunk.count)
                if count < 0 {
                    if errno == EINTR || errno == EAGAIN { continue }
                    return .endOfFile
                }
                if count == 0 { return .endOfFile }
                buffer = Array(chunk[0..<count])
                position = 1
                return .byte(buffer[0])
            }
        }
    }

    /// Reads up to the next newline (excluded, as is a trailing carriage return).
    ///
    /// - Returns: the line; `.endOfFile` when input ends before any byte of a line; `.woken` when the
    ///   wake pipe fires (the partial line is dropped).
    func readLine() -> LineRead {
        var bytes: [UInt8] = []
        while true {
            switch next() {
            case .byte(0x0A):
                if bytes.last == 0x0D { bytes.removeLast() }
                return .line(String(decoding: bytes, as: UTF8.self))
            case .byte(let byte):
                bytes.append(byte)
            case .endOfFile:
                return bytes.isEmpty ? .endOfFile : .line(String(decoding: bytes, as: UTF8.self))
            case .woken(let reasons):
                if reasons == [.resize] { continue }
                return .woken(reasons)
            }
        }
    }

    enum LineRead: Equatable {
        case line(String)
        case endOfFile
        case woken(Set<WakePipe.Reason>)
    }
}
