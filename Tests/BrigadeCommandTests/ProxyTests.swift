import Foundation
import Testing

/// A one-shot HTTP proxy on 127.0.0.1: accepts one connection, records the request head, answers 200.
final class OneShotProxy: @unchecked Sendable {  // `requestHead` is written by the accept thread before `done` is signalled
    let port: UInt16
    private let listener: Int32
    private(set) var requestHead = ""
    private let done = DispatchSemaphore(value: 0)

    init() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        self.listener = listener
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) } }
        guard bound == 0, listen(listener, 4) == 0 else { throw POSIXError(.EADDRINUSE) }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) } }
        port = UInt16(bigEndian: address.sin_port)
        guard port != 0 else { throw POSIXError(.EADDRNOTAVAIL) }
        Thread.detachNewThread { [self] in serveOnce() }
    }

    private func serveOnce() {
        defer { done.signal() }
        let connection = accept(listener, nil, nil)
        guard connection >= 0 else { return }
        defer { close(connection) }
        var received = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !received.ends(with: Array("\r\n\r\n".utf8)) {
            let count = read(connection, &buffer, buffer.count)
            if count <= 0 { break }
            received += buffer[..<count]
        }
        requestHead = String(decoding: received, as: UTF8.self)
        let response = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 15\r\nConnection: close\r\n\r\nhello via proxy"
        _ = response.utf8CString.withUnsafeBufferPointer { write(connection, $0.baseAddress, $0.count - 1) }
    }

    /// Waits (off the cooperative pool) until the one request was served.
    func waitUntilServed() async {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { [done] in
                _ = done.wait(timeout: .now() + 30)
                continuation.resume()
            }
        }
    }

    deinit { close(listener) }
}

extension Array where Element == UInt8 {
    func ends(with suffix: [UInt8]) -> Bool { count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix }
}

@Suite("Proxy environment", .timeLimit(.minutes(1)))
struct ProxyTests {
    /// libcurl honours `http_proxy`: the http tool's request for a host that does not exist goes to the proxy.
    @Test func theHTTPToolGoesThroughTheProxyFromTheEnvironment() async throws {
        let proxy = try OneShotProxy()
        let root = Brigade.repositoryRoot
        let outcome = try await Brigade.run(
            ["tools", "call", "--config", root + "/config.yaml", "http_get", "--args", #"{"url": "http://brigade-test.invalid/page"}"#],
            in: root, environment: ["http_proxy": "http://127.0.0.1:\(proxy.port)", "no_proxy": ""]
        )
        await proxy.waitUntilServed()
        #expect(outcome.status == 0, "\(outcome.standardOutput) \(outcome.standardError)")
        #expect(outcome.standardOutput.contains("hello via proxy"))
        #expect(proxy.requestHead.hasPrefix("GET http://brigade-test.invalid/page HTTP/1.1"), "\(proxy.requestHead)")
    }

    /// A proxy is no way around the address policy: a loopback or link-local address the model names
    /// is refused before anything is sent, and the proxy never sees the request.
    @Test(arguments: ["http://169.254.169.254/latest/meta-data/", "http://localhost:9/admin"])
    func theAddressPolicyHoldsBehindAProxy(url: String) async throws {
        let proxy = try OneShotProxy()
        let root = Brigade.repositoryRoot
        let outcome = try await Brigade.run(
            ["tools", "call", "--config", root + "/config.yaml", "http_get", "--args", #"{"url": "\#(url)"}"#],
            in: root, environment: ["http_proxy": "http://127.0.0.1:\(proxy.port)", "no_proxy": ""]
        )
        #expect(outcome.status != 0, "\(outcome.standardOutput) \(outcome.standardError)")
        let said = outcome.standardOutput + outcome.standardError
        #expect(said.contains("loopback") || said.contains("link-local"), "\(said)")
        #expect(proxy.requestHead.isEmpty, "\(proxy.requestHead)")
    }
}
