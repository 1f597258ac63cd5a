import CCurl

/// `curl_global_init` must run once per process before any other curl call, and is not
/// thread-safe itself; a Swift global is initialised exactly once, under a lock.
private let curlGlobalInitResult: CURLcode = curl_global_init(brigade_global_all())

enum CurlGlobal {
    /// Runs `curl_global_init` the first time it is called; later calls do nothing.
    /// Returns curl's result, which is `CURLE_OK` unless the process is out of memory.
    @discardableResult
    static func initialize() -> CURLcode {
        curlGlobalInitResult
    }

    /// curl's generic text for `code`.
    static func describe(_ code: CURLcode) -> String {
        guard let text = curl_easy_strerror(code) else { return "curl error \(code.rawValue)" }
        return String(cString: text)
    }
}

extension Duration {
    /// Whole milliseconds, rounded up so that a short positive duration never becomes zero.
    var roundedUpMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        let perMillisecond: Int64 = 1_000_000_000_000_000
        let (millis, remainder) = attoseconds.quotientAndRemainder(dividingBy: perMillisecond)
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        if overflow { return seconds > 0 ? Int64.max : Int64.min }
        return scaled &+ millis &+ (remainder > 0 ? 1 : 0)
    }
}
