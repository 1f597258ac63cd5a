/// Removes secrets from text meant for errors, logs and events: not only the exact secret but any
/// piece of it at least ``minimumLength`` bytes long, compared without regard to ASCII case (a server
/// that echoes half an API key, or upper-cases it, gives nothing away).
///
/// Every ``minimumLength``-byte window of each secret is kept in a set (packed in a `UInt64`); the text is scanned once,
/// window by window, and each maximal run of bytes covered by a matching window becomes
/// `[redacted]`. The cost is linear in the text's length, whatever the number of secrets.
package struct SecretRedactor: Sendable, Hashable {
    /// The shortest piece of a secret that is redacted (a window fills one `UInt64`).
    public static let minimumLength = 8
    static let replacement = "[redacted]"

    private let windows: Set<UInt64>
    /// One bit per value of a window's last two bytes that some window of a secret has: most windows
    /// of ordinary text are ruled out by one bit test instead of a hash lookup.
    private let lastTwoBytes: [UInt64]
    /// Secrets shorter than ``minimumLength``, redacted only where they occur whole.
    private let shortSecrets: [String]

    /// - Parameter secrets: API keys and other secret values; empty strings are ignored, and a secret
    ///   under 4 bytes is not redacted (it would match ordinary words).
    public init(secrets: [String]) {
        var windows = Set<UInt64>()
        var shortSecrets: [String] = []
        for secret in secrets {
            let bytes = secret.utf8.map(Self.folded)
            if bytes.count >= Self.minimumLength {
                var window: UInt64 = 0
                for (index, byte) in bytes.enumerated() {
                    window = window << 8 | UInt64(byte)
                    if index >= Self.minimumLength - 1 { windows.insert(window) }
                }
            } else if bytes.count >= 4 {
                shortSecrets.append(secret)
            }
        }
        self.windows = windows
        self.shortSecrets = shortSecrets
        var lastTwoBytes = [UInt64](repeating: 0, count: windows.isEmpty ? 0 : 1024)
        for window in windows {
            let key = Int(window & 0xFFFF)
            lastTwoBytes[key >> 6] |= 1 << UInt64(key & 63)
        }
        self.lastTwoBytes = lastTwoBytes
    }

    /// `true` when there is nothing to redact.
    public var isEmpty: Bool { windows.isEmpty && shortSecrets.isEmpty }

    /// `text` with every piece of a secret (``minimumLength`` bytes or more) replaced by `[redacted]`.
    public func redact(_ text: String) -> String {
        var text = text
        for secret in shortSecrets { text = text.replacing(secret, with: Self.replacement) }
        guard !windows.isEmpty else { return text }
        let bytes = Array(text.utf8)
        guard bytes.count >= Self.minimumLength else { return text }
        let width = Self.minimumLength
        var runs: [Range<Int>] = []
        var window: UInt64 = 0
        for (index, byte) in bytes.enumerated() {
            window = window << 8 | UInt64(Self.folded(byte))
            let key = Int(window & 0xFFFF)
            guard index >= width - 1, lastTwoBytes[key >> 6] & (1 << UInt64(key & 63)) != 0, windows.contains(window) else { continue }
            let start = index - width + 1
            if let last = runs.last, start <= last.upperBound {
                runs[runs.count - 1] = last.lowerBound..<(index + 1)
            } else {
                runs.append(start..<(index + 1))
            }
        }
        guard !runs.isEmpty else { return text }
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var position = 0
        for run in runs {
            result.append(contentsOf: bytes[position..<run.lowerBound])
            result.append(contentsOf: Self.replacement.utf8)
            position = run.upperBound
        }
        result.append(contentsOf: bytes[position...])
        return String(decoding: result, as: UTF8.self)
    }

    private static func folded(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
    }
}
