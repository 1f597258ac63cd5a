import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One blocking keep-alive connection to 127.0.0.1 that sends requests as given and returns each
/// response's bytes exactly as received: head, body, chunk framing and all.
final class RawHTTPConnection {
    private let descriptor: Int32
    private var buffer: [UInt8] = []

    init(port: UInt16) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = port.bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard descriptor >= 0, connected == 0 else { throw CheckFailure("cannot connect to 127.0.0.1:\(port), errno \(errno)") }
    }

    deinit { close(descriptor) }

    /// Sends `request` and reads one whole response (by `Content-Length`, or to the last chunk).
    func exchange(_ request: [UInt8]) throws -> [UInt8] {
        var sent = 0
        while sent < request.count {
            let count = request[sent...].withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { throw CheckFailure("send failed, errno \(errno)") }
            sent += count
        }
        while true {
            if let length = Self.responseLength(buffer) {
                defer { buffer.removeFirst(length) }
                return Array(buffer[..<length])
            }
            var chunk = [UInt8](repeating: 0, count: 65_536)
            let count = read(descriptor, &chunk, chunk.count)
            guard count > 0 else { throw CheckFailure("the connection ended after \(buffer.count) bytes of a response: \(String(decoding: buffer, as: UTF8.self).debugDescription)") }
            buffer += chunk[0..<count]
        }
    }

    /// Whether the server closed the connection (reads its end of stream).
    func isClosedByServer() -> Bool {
        var byte: UInt8 = 0
        return read(descriptor, &byte, 1) == 0
    }

    /// The length of the whole response at the start of `bytes`, or `nil` while it is incomplete.
    static func responseLength(_ bytes: [UInt8]) -> Int? {
        guard let headEnd = find([13, 10, 13, 10], in: bytes, from: 0) else { return nil }
        let head = String(decoding: bytes[..<headEnd], as: UTF8.self).lowercased()
        var position = headEnd + 4
        if let line = head.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }) {
            let length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) ?? 0
            return bytes.count >= position + length ? position + length : nil
        }
        guard head.contains("transfer-encoding: chunked") else { return position }
        while true {  // chunk: hex size CRLF data CRLF; the last has size 0 and an empty trailer
            guard let lineEnd = find([13, 10], in: bytes, from: position),
                let size = Int(String(decoding: bytes[position..<lineEnd], as: UTF8.self), radix: 16)
            else { return nil }
            position = lineEnd + 2 + size + 2
            guard bytes.count >= position else { return nil }
            if size == 0 { return position }
        }
    }

    static func find(_ needle: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
        guard bytes.count >= needle.count, start <= bytes.count - needle.count else { return nil }
        return (start...(bytes.count - needle.count)).first { bytes[$0..<$0 + needle.count].elementsEqual(needle) }
    }
}

/// Why the check failed.
struct CheckFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
