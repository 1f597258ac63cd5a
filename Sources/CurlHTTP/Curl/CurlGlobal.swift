import CCurl

/// libcurl's process-wide state. CCurl loads libcurl with the first curl call of the process and
/// runs `curl_global_init` (not thread-safe in curl) right then, once, under `pthread_once`, before
/// any other call reaches curl; a process that sends no HTTP request never loads libcurl.
enum CurlGlobal {
    /// Loads and initialises libcurl the first time it is called; later calls do nothing.
    /// Returns curl's result: `CURLE_OK`, or `CURLE_FAILED_INIT` when libcurl.so.4 cannot be
    /// loaded (every request then fails) or curl's own initialisation failed.
    @discardableResult
    static func initialize() -> CURLcode {
        brigade_curl_global_init_result()
    }

    /// Why libcurl cannot be used, as a message for people that says how to fix it; `nil` when it is
    /// loaded and initialised. Loads it the first time it is called.
    static var unavailableReason: String? {
        guard let reason = brigade_curl_load_error() else { return nil }
        return "libcurl (libcurl.so.4) could not be loaded: \(String(cString: reason)); install libcurl4 "
            + "(Debian, Ubuntu: apt-get install libcurl4; Fedora, RHEL: dnf install libcurl; Alpine: apk add libcurl)"
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
