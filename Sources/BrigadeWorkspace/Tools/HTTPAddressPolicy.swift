import CurlHTTP
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Where an http tool may connect when the model names the host (a whole-URL `{{url}}` template).
///
/// By default the host's addresses are resolved and every one is checked: loopback, private,
/// link-local (cloud metadata at 169.254.169.254 included), carrier-grade NAT, multicast and
/// unspecified addresses are refused, in any spelling (`0x7f000001`, `2130706433`, `[::1]`,
/// IPv4-mapped IPv6). The request then connects to exactly the checked addresses
/// (``HTTPRequest/pinnedAddresses``), so a DNS answer that changes in between does not matter.
/// `allow_hosts` limits the tool to the listed host names (`*.example.com` for subdomains) and then
/// trusts them; `allow_private_networks: true` turns the address check off. Credentials in the URL
/// (`user:pass@host`) are refused. With a proxy in the environment (`http_proxy`, `https_proxy`,
/// `all_proxy`) the check still applies to every address Brigade can resolve (a literal address, a
/// name in `/etc/hosts` or the local DNS), so the proxy is not a way around it; only a name that does
/// not resolve locally is left to the proxy, which resolves it itself.
///
/// The lookup runs on a thread of its own (``HostLookup``) and may take at most ``lookupLimit``: a
/// host whose DNS does not answer in time is refused, and a hung lookup holds no thread of the shared
/// pools.
struct HTTPAddressPolicy: Sendable {
    var allowHosts: [String]?
    var allowPrivateNetworks: Bool
    /// The longest a host's lookup may take before the call is refused.
    var lookupLimit: Duration = .seconds(10)
    /// How a host is looked up (the system's resolver; tests pass their own).
    var lookUp: @Sendable (String) -> [IPAddress] = IPAddress.lookUp

    /// The addresses to pin for `url`, `nil` when none need pinning, or a message for the model.
    func check(_ url: String, name: String) async -> Result<HTTPRequest.PinnedAddresses?, ToolCallProblem> {
        guard let parts = Self.authority(of: url) else { return .success(nil) }
        if parts.hasUserInfo { return .failure(ToolCallProblem("`\(name)`: credentials in the URL (user:password@) are not allowed")) }
        let host = parts.host.lowercased()
        if let allowHosts {
            let allowed = allowHosts.contains { pattern in
                let pattern = pattern.lowercased()
                return pattern.hasPrefix("*.") ? host.hasSuffix(pattern.dropFirst()) : host == pattern
            }
            return allowed ? .success(nil) : .failure(ToolCallProblem("`\(name)`: the host \(host) is not one this tool may reach (allow_hosts: \(allowHosts.joined(separator: ", ")))"))
        }
        if allowPrivateNetworks { return .success(nil) }
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        let addresses: [IPAddress]
        switch await HostLookup.shared.resolve(bare, within: lookupLimit, lookUp: lookUp) {
        case .addresses(let found):
            addresses = found
        case .timedOut:
            return .failure(ToolCallProblem("`\(name)`: the host \(host) did not resolve within \(lookupLimit) (or the call was cancelled)"))
        case .busy:
            return .failure(ToolCallProblem("`\(name)`: \(HostLookup.shared.maxThreads) host lookups are running already; try again later"))
        }
        guard !addresses.isEmpty else {
            // Behind a proxy, only the proxy may know the name (a network whose DNS is the proxy's).
            if Self.proxyIsConfigured(scheme: parts.scheme) { return .success(nil) }
            return .failure(ToolCallProblem("`\(name)`: cannot resolve the host \(host)"))
        }
        for address in addresses {
            if let kind = IPAddressKind.refused(address) {
                return .failure(ToolCallProblem(
                    "`\(name)`: \(host) is \(address.text), a \(kind) address; this tool may not reach loopback, private or link-local networks"
                ))
            }
        }
        // A numeric host needs no pin; curl may spell it differently (`2130706433` is `127.0.0.1`).
        if addresses.count == 1, addresses[0].text == bare { return .success(nil) }
        return .success(HTTPRequest.PinnedAddresses(host: bare, port: parts.port, addresses: addresses.map(\.text)))
    }

    /// Scheme, host (IPv6 in brackets), port and whether the URL carries user information.
    static func authority(of url: String) -> (scheme: String, host: String, port: Int, hasUserInfo: Bool)? {
        guard let (scheme, hostName) = HTTPRequestTemplate.schemeAndHost(url) else { return nil }
        var host = hostName
        if host.hasPrefix("["), let close = host.firstIndex(of: "]") { host = String(host[...close]) }
        let authority = url.dropFirst(scheme.count + 3).prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let hostAndPort = authority.split(separator: "@", omittingEmptySubsequences: false).last ?? ""
        let afterHost = hostAndPort.dropFirst(host.count)
        let port = afterHost.hasPrefix(":") ? Int(afterHost.dropFirst()) : nil
        return (scheme, host, port ?? (scheme == "https" ? 443 : 80), authority.contains("@"))
    }

    static func proxyIsConfigured(scheme: String) -> Bool {
        let environment = ProcessInfo.processInfo.environment
        let names = [scheme + "_proxy", scheme.uppercased() + "_PROXY", "all_proxy", "ALL_PROXY"]
        return names.contains { !(environment[$0] ?? "").isEmpty }
    }
}
