#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// A resolved IPv4 or IPv6 address: its bytes and its text.
struct IPAddress: Sendable, Hashable {
    var bytes: [UInt8]
    var text: String

    /// `getaddrinfo` for `host` (any family); empty when it does not resolve.
    static func lookUp(_ host: String) -> [IPAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0 else { return [] }
        defer { freeaddrinfo(list) }
        var result: [IPAddress] = []
        var entry = list
        while let info = entry?.pointee {
            entry = info.ai_next
            guard let socketAddress = info.ai_addr else { continue }
            var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
            let bytes: [UInt8]
            switch Int32(socketAddress.pointee.sa_family) {
            case AF_INET:
                var ip = socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
                bytes = withUnsafeBytes(of: &ip) { Array($0) }
                inet_ntop(AF_INET, &ip, &buffer, socklen_t(buffer.count))
            case AF_INET6:
                var ip = socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
                bytes = withUnsafeBytes(of: &ip) { Array($0) }
                inet_ntop(AF_INET6, &ip, &buffer, socklen_t(buffer.count))
            default:
                continue
            }
            let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let address = IPAddress(bytes: bytes, text: text)
            if !result.contains(address) { result.append(address) }
        }
        return result
    }
}

/// Which addresses an http tool with a model-chosen host must not reach.
enum IPAddressKind {
    /// "loopback", "private", "link-local" … for a refused address, `nil` for a public one.
    static func refused(_ address: IPAddress) -> String? {
        let b = address.bytes
        if b.count == 4 { return refusedIPv4(b) }
        guard b.count == 16 else { return "unknown" }
        if b.allSatisfy({ $0 == 0 }) { return "unspecified" }
        if b[0..<15].allSatisfy({ $0 == 0 }) && b[15] == 1 { return "loopback" }
        // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::a.b.c.d).
        if b[0..<10].allSatisfy({ $0 == 0 }) && ((b[10] == 0xFF && b[11] == 0xFF) || (b[10] == 0 && b[11] == 0)) {
            return refusedIPv4(Array(b[12..<16]))
        }
        if b[0..<12] == [0x00, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0] { return refusedIPv4(Array(b[12..<16])) }
        if b[0] == 0x20 && b[1] == 0x02 { return refusedIPv4(Array(b[2..<6])) }  // 6to4
        if b[0] & 0xFE == 0xFC { return "private (unique local)" }
        if b[0] == 0xFE && b[1] & 0xC0 == 0x80 { return "link-local" }
        if b[0] == 0xFE && b[1] & 0xC0 == 0xC0 { return "site-local" }
        if b[0] == 0xFF { return "multicast" }
        return nil
    }

    private static func refusedIPv4(_ b: [UInt8]) -> String? {
        switch (b[0], b[1]) {
        case (0, _): return "unspecified"
        case (127, _): return "loopback"
        case (10, _), (172, 16...31), (192, 168): return "private"
        case (169, 254): return "link-local"
        case (100, 64...127): return "carrier-grade NAT"
        case (192, 0) where b[2] == 0: return "reserved"
        case (198, 18...19): return "benchmarking"
        case (224...239, _): return "multicast"
        case (240...255, _): return "reserved"
        default: return nil
        }
    }
}
