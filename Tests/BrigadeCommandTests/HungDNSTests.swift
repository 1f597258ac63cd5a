import BrigadeTesting
import Foundation
import Subprocess
import Testing

/// Runs `brigade` where DNS does not answer: in user, mount and network namespaces of its own
/// (`unshare -rmn`, no privileges needed), the loopback interface is brought up, a UDP socket is bound
/// on 127.0.0.1:53 that reads nothing and answers nothing, and /etc/resolv.conf is covered with one
/// naming it (30 s per lookup, one attempt). Every name lookup then hangs for 30 s, as behind a dead
/// name server.
enum HungDNS {
    static let python = ["/usr/bin/python3", "/usr/local/bin/python3"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static let ip = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Whether this machine lets an unprivileged process make the three namespaces and has
    /// `python3` and `ip` to set them up (tests that need them are skipped otherwise).
    @Sendable static func isAvailable() async -> Bool {
        guard let ip, python != nil, FileManager.default.isExecutableFile(atPath: MountNamespace.unshare) else { return false }
        let probe = try? await Subprocess.run(
            .path(.init(MountNamespace.unshare)), arguments: ["-rmn", "/bin/sh", "-c", "\(ip) link set lo up && mount --bind /dev/null /dev/null"],
            output: .discarded, error: .discarded)
        return probe?.terminationStatus.isSuccess ?? false
    }

    private static let silentServer = """
        import socket, sys, time
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", 53))
        open(sys.argv[1], "w").write("ready")
        time.sleep(600)
        """

    private static let script = """
        set -e
        "$HUNG_DNS_IP" link set lo up
        "$HUNG_DNS_PYTHON" -c "$HUNG_DNS_SERVER" "$HUNG_DNS_DIR/ready" &
        server=$!
        tries=0
        while [ ! -s "$HUNG_DNS_DIR/ready" ]; do
            tries=$((tries + 1)); [ "$tries" -lt 400 ] || exit 97
            sleep 0.05
        done
        mount --bind "$HUNG_DNS_DIR/resolv.conf" /etc/resolv.conf
        started=$(date +%s%N)
        status=0
        "$0" "$@" || status=$?
        echo "hung-dns: brigade took $(( ($(date +%s%N) - started) / 1000000 )) ms" >&2
        kill "$server" 2>/dev/null || true
        exit "$status"
        """

    /// The milliseconds the script measured around `brigade` itself (not the namespace's set-up, and
    /// not the test process's own scheduling, which a loaded pool can delay for many seconds).
    static func brigadeMilliseconds(_ outcome: Brigade.Outcome) -> Int? {
        guard let line = outcome.standardError.split(separator: "\n").last(where: { $0.hasPrefix("hung-dns: brigade took ") }) else { return nil }
        return Int(line.dropFirst("hung-dns: brigade took ".count).prefix { $0.isNumber })
    }

    /// Runs `brigade ARGUMENTS` in `directory` (which gets the resolv.conf and the server's flag file).
    static func run(_ arguments: [String], in directory: TemporaryFolder) async throws -> Brigade.Outcome {
        try directory.write("resolv.conf", "nameserver 127.0.0.1\noptions timeout:30 attempts:1\n")
        let environment = [
            "HUNG_DNS_IP": ip ?? "ip", "HUNG_DNS_PYTHON": python ?? "python3", "HUNG_DNS_SERVER": silentServer,
            "HUNG_DNS_DIR": directory.path,
        ]
        return try await Brigade.run(
            ["unshare", "-rmn", "/bin/sh", "-c", script, Brigade.path] + arguments,
            in: directory.path, environment: environment, executable: MountNamespace.unshare)
    }
}

@Suite("Requests to a host whose DNS does not answer", .timeLimit(.minutes(2)))
struct HungDNSTests {
    /// A request given up while curl's resolver thread still waits for DNS (here: the tool's 1 s
    /// timeout) does not hold the client's loop thread until the lookup ends: the command is over in
    /// about a second, not after the 30 s lookup (`CURLOPT_QUICK_EXIT`).
    @Test("a request cancelled mid-lookup frees the client at once",
          .enabled("needs `unshare -rmn`, ip and python3", HungDNS.isAvailable))
    func aRequestCancelledWhileResolvingDoesNotWaitForTheLookup() async throws {
        let folder = try TemporaryFolder()
        try folder.write("config.yaml", "store: off\npaths:\n  tools: tools\n")
        try folder.write("tools/hang.yaml", """
            name: hang
            description: Fetches a fixed URL whose host never resolves here.
            kind: http
            parameters: {type: object, properties: {}, additionalProperties: false}
            http:
              method: GET
              url: "http://hung-dns.brigade.test/"
            policy: {timeout: 1s, retries: 0}
            """)
        let outcome = try await HungDNS.run(["tools", "call", "--config", "config.yaml", "hang", "--args", "{}"], in: folder)
        let said = outcome.standardOutput + outcome.standardError
        #expect(said.contains("timed out after 1 s"), "\(outcome.status): \(said)")
        // Without the option the loop thread joins the resolver thread: about 30 s.
        let took = try #require(HungDNS.brigadeMilliseconds(outcome), "\(said)")
        #expect(took < 20_000, "\(said)")
    }
}
