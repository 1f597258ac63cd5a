import CCurl

/// A curl easy handle with the error buffer its `CURLOPT_ERRORBUFFER` points at.
struct EasyHandle {
    let handle: UnsafeMutableRawPointer
    let errorBuffer: UnsafeMutablePointer<CChar>
}

/// The easy handles of transfers that ended cleanly, reset (`curl_easy_reset`) and kept for the
/// next transfers, so that a request does not pay for creating and freeing a handle.
///
/// A handle comes back only after `curl_multi_remove_handle` and only from a transfer that
/// succeeded; a failed, cancelled or timed-out transfer's handle is freed instead. The reset
/// clears every option (URL, method, body, header lists, callbacks and their userdata), so no
/// part of one request can reach the next; connections stay in the multi handle's cache.
///
/// Loop thread only, like every curl handle.
final class EasyHandlePool {
    private var idle: [EasyHandle] = []
    /// The most handles kept while idle.
    let limit: Int
    /// Counts every `curl_easy_init`, for tests.
    private let created: LoopCount

    init(limit: Int, created: LoopCount) {
        self.limit = max(0, limit)
        self.created = created
    }

    /// A kept handle, or a fresh one; `nil` when curl cannot create one (out of memory).
    func take() -> EasyHandle? {
        if let kept = idle.popLast() {
            kept.errorBuffer[0] = 0
            return kept
        }
        guard let handle = curl_easy_init() else { return nil }
        created.add(1)
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(brigade_error_size()))
        errorBuffer.initialize(repeating: 0, count: Int(brigade_error_size()))
        return EasyHandle(handle: handle, errorBuffer: errorBuffer)
    }

    /// Resets `easy` and keeps it, or frees it when ``limit`` handles are kept already. Call
    /// only once its transfer has left the multi handle and ended cleanly.
    func recycle(_ easy: EasyHandle) {
        guard idle.count < limit else { return free(easy) }
        curl_easy_reset(easy.handle)
        idle.append(easy)
    }

    /// Frees `easy`: its transfer failed or was cancelled, or nothing will reuse it.
    func free(_ easy: EasyHandle) {
        curl_easy_cleanup(easy.handle)
        easy.errorBuffer.deallocate()
    }

    /// Frees every kept handle; called as the loop stops, before the multi handle is freed.
    func removeAll() {
        for easy in idle { free(easy) }
        idle = []
    }
}
