import BrigadeSync
import CCurl

/// How a transfer hands its outcome back to the task that started it.
enum Delivery: Sendable {
    /// Collect the body; fulfil `promise` with the whole response.
    case buffered(maxBodyBytes: Int?, promise: Promise<Result<HTTPResponse, HTTPError>>)
    /// Fulfil `head` once the final head is in, stream the body through `body`, fulfil `done` once
    /// the easy handle is gone.
    case streaming(head: Promise<Result<HTTPResponseHead, HTTPError>>, body: BodyChannel, done: Promise<Void>)
}

/// A request on its way to the loop thread.
struct TransferSubmission: Sendable {
    let id: UInt64
    let request: PreparedRequest
    let delivery: Delivery
}

/// One transfer: its curl easy handle and everything its callbacks touch.
///
/// Created, used and released on the loop thread only; curl's callbacks (which run inside
/// `curl_multi_socket_action` or `curl_easy_pause` on that thread) reach it through an unretained
/// pointer while the loop's transfer table keeps it alive.
final class EasyTransfer {
    let id: UInt64
    let handle: UnsafeMutableRawPointer
    let delivery: Delivery
    /// The header lines' list, shared with other transfers that send the same lines.
    var headerList: HeaderList?
    var resolveList: UnsafeMutablePointer<curl_slist>?
    let errorBuffer: UnsafeMutablePointer<CChar>
    /// Where the easy handle came from and goes back to.
    private let handles: EasyHandlePool

    /// The streaming reader's channel (`nil` when buffered), and the buffered body's limit: taken
    /// out of ``delivery`` once, as the write callback needs them on every call.
    private let channel: BodyChannel?
    private let maxBodyBytes: Int?
    private var headParser = ResponseHeadParser()
    private var head: HTTPResponseHead?
    private var body: [UInt8] = []
    /// A failure found by a callback; it takes precedence over curl's result code.
    private var callbackFailure: HTTPError?
    private var progressBytes: curl_off_t = 0
    private var isReleased = false
    /// The client's count of live transfer objects, for leak checks.
    private let liveCount: LoopCount

    /// When the whole exchange must be over.
    let deadline: ContinuousClock.Instant?
    /// The longest quiet time once connected.
    let idleTimeout: Duration?
    /// Set once curl has a connection and is about to send the request.
    var isConnected = false
    /// Set while the write callback has paused the transfer for a slow consumer.
    var isPaused = false
    /// When bytes last moved (set by the callbacks), or when the transfer started or was resumed.
    var lastActivity: ContinuousClock.Instant
    /// The ids of streaming transfers whose final head is in but not yet handed to the reader.
    private let pendingHeads: PendingHeads
    private var isHeadPending = false
    /// Set once the reader is gone before the body ended (``drain(until:upTo:)``): the transfer is
    /// cancelled at this instant unless it ended on its own.
    private(set) var drainDeadline: ContinuousClock.Instant?
    /// Body bytes a draining transfer may still read and drop.
    private var drainBudget = 0
    /// Set with ``drainDeadline``: the write callback tests this flag, not the optional instant.
    private var isDraining = false

    /// Takes an easy handle from `handles` (a reset one, or a fresh one) and sets every option.
    /// - Throws: when curl cannot create the handle or rejects an option.
    init(
        _ submission: TransferSubmission,
        configuration: HTTPClient.Configuration,
        handles: EasyHandlePool,
        events: UnsafeMutablePointer<brigade_curl_events>,
        headerLists: HeaderListCache,
        liveCount: LoopCount,
        pendingHeads: PendingHeads,
        now: ContinuousClock.Instant
    ) throws(HTTPError) {
        guard let easy = handles.take() else {
            throw HTTPError(.transport, "curl_easy_init failed (out of memory)")
        }
        self.id = submission.id
        self.handle = easy.handle
        self.errorBuffer = easy.errorBuffer
        self.handles = handles
        self.delivery = submission.delivery
        switch submission.delivery {
        case .buffered(let maxBodyBytes, _):
            self.channel = nil
            self.maxBodyBytes = maxBodyBytes
        case .streaming(_, let channel, _):
            self.channel = channel
            self.maxBodyBytes = nil
        }
        self.deadline = submission.request.deadline
        self.idleTimeout = submission.request.idleTimeout
        self.lastActivity = now
        self.liveCount = liveCount
        self.pendingHeads = pendingHeads
        liveCount.add(1)
        do {
            try configure(submission.request, configuration: configuration, events: events, headerLists: headerLists)
        } catch {
            release()
            throw error
        }
    }

    deinit {
        release()
        liveCount.add(-1)
    }

    /// Gives the easy handle back to the pool (`reusable`: the transfer ended cleanly) or frees
    /// it, then lets go of the header lists, which the handle no longer points at. Call after
    /// `curl_multi_remove_handle`; later calls do nothing.
    func release(reusable: Bool = false) {
        guard !isReleased else { return }
        isReleased = true
        let easy = EasyHandle(handle: handle, errorBuffer: errorBuffer)
        if reusable {
            handles.recycle(easy)
        } else {
            handles.free(easy)
        }
        headerList = nil
        curl_slist_free_all(resolveList)
        resolveList = nil
    }

    /// curl's detailed error text for the last failure, if it wrote one.
    private var errorText: String {
        guard !isReleased else { return "" }
        return String(cString: errorBuffer)
    }

    /// Turns curl's result code into the transfer's outcome.
    func outcome(_ code: CURLcode) -> Result<Void, HTTPError> {
        if let callbackFailure { return .failure(callbackFailure) }
        if code == CURLE_OK { return .success(()) }
        return .failure(.fromCurl(code, detail: errorText))
    }

    /// Hands the outcome to the waiting task(s). Called once, after the handle left the multi.
    func complete(_ result: Result<Void, HTTPError>) {
        switch delivery {
        case .buffered(_, let promise):
            promise.fulfill(result.flatMap { () -> Result<HTTPResponse, HTTPError> in
                guard let head else { return .failure(Self.missingHead) }
                return .success(HTTPResponse(status: head.status, headers: head.headers, body: body))
            })
        case .streaming(let headPromise, let channel, let done):
            switch result {
            case .success:
                headPromise.fulfill(head.map { .success($0) } ?? .failure(Self.missingHead))
                channel.finish(head == nil ? .failure(Self.missingHead) : .success(()))
            case .failure(let error):
                // A head that came in is the reader's even when its delivery was still pending:
                // the failure then ends the body, as it would have a moment later.
                if isHeadPending, let head {
                    headPromise.fulfill(.success(head))
                } else {
                    headPromise.fulfill(.failure(error))
                }
                channel.finish(.failure(error))
            }
            done.fulfill(())
        }
    }

    private static let missingHead = HTTPError(.transport, "the response ended before a complete status line and headers")

    // MARK: Callbacks (loop thread, inside curl)

    func receiveHeaderLine(_ line: UnsafeRawBufferPointer) -> Int {
        noteActivity()
        if let finalHead = headParser.consume(bytes: line) {
            head = finalHead
            if case .streaming = delivery, !isHeadPending {
                // Handed over by the loop at the end of its pass (``deliverHead()``), or with the
                // outcome if the transfer ends first: a response that arrives whole then wakes
                // its reader once, for head, body and end together, instead of once for each.
                isHeadPending = true
                pendingHeads.ids.append(id)
            }
        }
        return line.count
    }

    /// Hands the final head to the streaming reader. Called by the loop before it sleeps.
    func deliverHead() {
        if case .streaming(let headPromise, _, _) = delivery, let head {
            headPromise.fulfill(.success(head))
        }
    }

    /// The reader stopped early: body bytes are dropped from now on, and the transfer is cancelled
    /// at `deadline` or past `bytes` more, unless it ended by then (its connection then stays open).
    func drain(until deadline: ContinuousClock.Instant, upTo bytes: Int) {
        drainDeadline = deadline
        drainBudget = bytes
        isDraining = true
    }

    func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Int {
        noteActivity()
        if isDraining {
            drainBudget -= bytes.count
            guard drainBudget >= 0 else {
                callbackFailure = HTTPError(.cancelled, "the request was cancelled")
                return 0
            }
            return bytes.count
        }
        if let channel {
            switch channel.offer(bytes) {
            case .accepted:
                return bytes.count
            case .pause:
                isPaused = true
                return brigade_writefunc_pause()
            }
        }
        if let maxBodyBytes, body.count + bytes.count > maxBodyBytes {
            callbackFailure = HTTPError(.responseTooLarge, "the response body is larger than \(maxBodyBytes) bytes")
            return 0
        }
        body.append(contentsOf: bytes)
        return bytes.count
    }

    func noteProgress(downloaded: curl_off_t, uploaded: curl_off_t) {
        let total = downloaded &+ uploaded
        if total != progressBytes {
            progressBytes = total
            noteActivity()
        }
    }

    func noteConnected() {
        isConnected = true
        noteActivity()
    }

    private func noteActivity() {
        lastActivity = .now
    }
}

/// The ids of streaming transfers whose final head is in but not yet handed to their reader: the
/// loop thread's list, filled by the header callback and emptied by the loop before it sleeps.
final class PendingHeads {
    var ids: [UInt64] = []
}
