import BrigadeSync
import CCurl

/// The body of the loop thread: it drains the inbox, drives curl, enforces the idle and total
/// limits, and sleeps in `epoll_wait` until one of curl's sockets, curl's or its own timer, or the
/// eventfd (a new command) needs it. curl runs event-driven (`curl_multi_socket_action`): a
/// wake-up costs the sockets that are ready, not every open transfer.
///
/// Everything here, including every curl handle, is touched only by the loop thread.
final class LoopRunner {
    private let multi: UnsafeMutableRawPointer
    /// The epoll set and eventfd curl reports its sockets to; freed by ``stop(leftovers:)``.
    private let events: UnsafeMutablePointer<brigade_curl_events>
    private let inbox: CommandInbox
    private let activeTransfers: LoopCount
    private let configuration: HTTPClient.Configuration
    private let liveTransferObjects: LoopCount
    private let passes: LoopCount
    private let idleSocketWakeups: LoopCount
    private var transfers: [UInt64: EasyTransfer] = [:]
    private var idsByHandle: [UnsafeMutableRawPointer: UInt64] = [:]
    private let pendingHeads = PendingHeads()
    private let handles: EasyHandlePool
    private let headerLists = HeaderListCache()
    /// No transfer's deadline or idle limit can pass before this instant, so the transfers are
    /// scanned only then (``enforceTimers(now:)``), not on every pass; `nil` when nothing is due.
    private var nextTimerScan: ContinuousClock.Instant?
    private let clock = ContinuousClock()
    /// How long a released transfer (its reader stopped early) may take to end on its own, and how
    /// many more body bytes it may read (and drop) meanwhile: enough for the end of a chunked body
    /// that is already on its way, not for a body that goes on.
    static let drainGrace = Duration.milliseconds(50)
    static let drainBytes = 16 * 1024
    private let exited: Promise<Void>
    private let willExit: (@Sendable () -> Void)?

    init(
        multi: UnsafeMutableRawPointer,
        events: UnsafeMutablePointer<brigade_curl_events>,
        inbox: CommandInbox,
        activeTransfers: LoopCount,
        createdEasyHandles: LoopCount,
        liveTransferObjects: LoopCount,
        passes: LoopCount,
        idleSocketWakeups: LoopCount,
        configuration: HTTPClient.Configuration,
        exited: Promise<Void>,
        willExit: (@Sendable () -> Void)?
    ) {
        self.multi = multi
        self.events = events
        self.exited = exited
        self.willExit = willExit
        self.liveTransferObjects = liveTransferObjects
        self.passes = passes
        self.idleSocketWakeups = idleSocketWakeups
        self.inbox = inbox
        self.activeTransfers = activeTransfers
        self.configuration = configuration
        self.handles = EasyHandlePool(limit: configuration.maxCachedConnections, created: createdEasyHandles)
    }

    func run() {
        while true {
            let commands = inbox.takeAll()
            var isRunning = true
            var index = commands.startIndex
            while isRunning, index < commands.endIndex {
                isRunning = handle(commands[index])
                index += 1
            }
            guard isRunning else {
                stop(leftovers: commands[index...])
                willExit?()
                exited.fulfill(())
                return
            }

            if brigade_events_timeout(multi) == 0 { brigade_events_run_timers(multi) }
            collectFinishedTransfers()
            let nextTimer = enforceTimers(now: clock.now)
            deliverPendingHeads()
            // A command that came in during this pass is taken at once: poll, do not sleep.
            let sleeps = inbox.prepareToWait()
            let idleWakeupsBefore = events.pointee.idle_wakeups
            let ready = brigade_events_wait(events, sleeps ? waitTimeout(until: nextTimer) : 0)
            if sleeps { inbox.endWait() }
            passes.add(1)
            if events.pointee.idle_wakeups != idleWakeupsBefore {
                idleSocketWakeups.add(events.pointee.idle_wakeups - idleWakeupsBefore)
            }
            if ready < 0 {
                // epoll itself failed (never expected): fail everything rather than spin.
                stop(leftovers: [])
                willExit?()
                exited.fulfill(())
                return
            }
        }
    }

    /// Frees curl and the event set of a loop whose thread never started.
    func closeWithoutRunning() {
        handles.removeAll()
        headerLists.removeAll()
        curl_multi_cleanup(multi)
        brigade_events_close(events)
        events.deallocate()
    }

    // MARK: Commands

    /// Returns `false` for `.shutdown`.
    private func handle(_ command: CurlLoop.Command) -> Bool {
        switch command {
        case .start(let submission):
            start(submission)
        case .cancel(let id):
            if let transfer = transfers[id] {
                finish(transfer, .failure(HTTPError(.cancelled, "the request was cancelled")))
            }
        case .release(let id):
            if let transfer = transfers[id] {
                let deadline = clock.now.advanced(by: Self.drainGrace)
                transfer.drain(until: deadline, upTo: Self.drainBytes)
                scheduleTimerScan(at: deadline)
                if transfer.isPaused {
                    transfer.isPaused = false
                    _ = curl_easy_pause(transfer.handle, brigade_pause_cont())
                }
            }
        case .resume(let id):
            if let transfer = transfers[id], transfer.isPaused {
                transfer.isPaused = false
                transfer.lastActivity = clock.now
                if let idle = transfer.idleTimeout { scheduleTimerScan(at: transfer.lastActivity.advanced(by: idle)) }
                if case .streaming(_, let channel, _) = transfer.delivery {
                    channel.clearPause()
                }
                _ = curl_easy_pause(transfer.handle, brigade_pause_cont())
            }
        case .shutdown:
            return false
        }
        return true
    }

    private func start(_ submission: TransferSubmission) {
        let transfer: EasyTransfer
        do {
            transfer = try EasyTransfer(
                submission,
                configuration: configuration,
                handles: handles,
                events: events,
                headerLists: headerLists,
                liveCount: liveTransferObjects,
                pendingHeads: pendingHeads,
                now: clock.now
            )
        } catch {
            Self.fail(submission.delivery, error)
            return
        }
        let code = curl_multi_add_handle(multi, transfer.handle)
        guard code == CURLM_OK else {
            transfer.release()
            let text = curl_multi_strerror(code).map { String(cString: $0) } ?? "error \(code.rawValue)"
            Self.fail(submission.delivery, HTTPError(.transport, "curl_multi_add_handle failed: \(text)"))
            return
        }
        transfers[transfer.id] = transfer
        idsByHandle[transfer.handle] = transfer.id
        if let deadline = transfer.deadline { scheduleTimerScan(at: deadline) }
        if let idle = transfer.idleTimeout { scheduleTimerScan(at: transfer.lastActivity.advanced(by: idle)) }
        activeTransfers.add(1)
    }

    /// Fails a transfer that never got an easy handle.
    private static func fail(_ delivery: Delivery, _ error: HTTPError) {
        switch delivery {
        case .buffered(_, let promise):
            promise.fulfill(.failure(error))
        case .streaming(let head, let body, let done):
            head.fulfill(.failure(error))
            body.finish(.failure(error))
            done.fulfill(())
        }
    }

    // MARK: Completion

    private func collectFinishedTransfers() {
        var finished: [(UnsafeMutableRawPointer, CURLcode)] = []
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(multi, &remaining) {
            // Copy what we need before the handle is removed, which invalidates the message.
            if message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle {
                finished.append((handle, message.pointee.data.result))
            }
        }
        for (handle, code) in finished {
            guard let id = idsByHandle[handle], let transfer = transfers[id] else { continue }
            finish(transfer, transfer.outcome(code))
        }
    }

    /// Removes the transfer from curl, gives back or frees its handles, then reports the outcome.
    private func finish(_ transfer: EasyTransfer, _ result: Result<Void, HTTPError>) {
        _ = curl_multi_remove_handle(multi, transfer.handle)
        transfers[transfer.id] = nil
        idsByHandle[transfer.handle] = nil
        // Only a transfer that ended cleanly leaves its handle for the next request.
        if case .success = result {
            transfer.release(reusable: true)
        } else {
            transfer.release()
        }
        activeTransfers.add(-1)
        transfer.complete(result)
    }

    // MARK: Timers

    /// Fails transfers past their deadline or idle for too long; returns the next instant a
    /// timer could fire. Scans the transfers only once ``nextTimerScan`` has come: every limit only
    /// moves later (activity, a pause), except when a transfer starts or resumes, and those lower
    /// ``nextTimerScan`` themselves.
    private func enforceTimers(now: ContinuousClock.Instant) -> ContinuousClock.Instant? {
        guard let scan = nextTimerScan, now >= scan else { return nextTimerScan }
        var next: ContinuousClock.Instant?
        var expired: [(EasyTransfer, HTTPError)] = []
        for transfer in transfers.values {
            if let deadline = transfer.drainDeadline {
                if now >= deadline {
                    expired.append((transfer, HTTPError(.cancelled, "the request was cancelled")))
                    continue
                }
                next = min(next ?? deadline, deadline)
            }
            if let deadline = transfer.deadline {
                if now >= deadline {
                    expired.append((transfer, HTTPError(.deadlineExceeded, "the request's deadline passed")))
                    continue
                }
                next = min(next ?? deadline, deadline)
            }
            guard let idle = transfer.idleTimeout, !transfer.isPaused else { continue }
            guard transfer.isConnected else {
                // Its idle time starts once connected, so not before now.
                let earliest = now.advanced(by: idle)
                next = min(next ?? earliest, earliest)
                continue
            }
            let due = transfer.lastActivity.advanced(by: idle)
            if now >= due {
                expired.append((transfer, HTTPError(.idleTimeout, "no data for \(idle) from the server")))
                continue
            }
            next = min(next ?? due, due)
        }
        nextTimerScan = next
        for (transfer, error) in expired {
            finish(transfer, .failure(error))
        }
        return next
    }

    private func scheduleTimerScan(at instant: ContinuousClock.Instant) {
        nextTimerScan = min(nextTimerScan ?? instant, instant)
    }

    /// Hands the heads that came in during this pass to their readers (see
    /// ``EasyTransfer/receiveHeaderLine(_:)``); transfers that ended have had theirs with the outcome.
    private func deliverPendingHeads() {
        guard !pendingHeads.ids.isEmpty else { return }
        for id in pendingHeads.ids {
            transfers[id]?.deliverHead()
        }
        pendingHeads.ids.removeAll(keepingCapacity: true)
    }

    /// Milliseconds to wait: until the next of our timers (rounded up) or curl's, at most a minute.
    private func waitTimeout(until next: ContinuousClock.Instant?) -> Int32 {
        var milliseconds: Int64 = 60_000
        if let next {
            milliseconds = min(milliseconds, max(clock.now.duration(to: next).roundedUpMilliseconds, 0))
        }
        let curlMilliseconds = brigade_events_timeout(multi)
        if curlMilliseconds >= 0 { milliseconds = min(milliseconds, Int64(curlMilliseconds)) }
        return Int32(clamping: milliseconds)
    }

    // MARK: Shutdown

    private func stop(leftovers batch: ArraySlice<CurlLoop.Command>) {
        let shutdownError = HTTPError(.shutDown, "the HTTP client was shut down")
        for transfer in Array(transfers.values) {
            finish(transfer, .failure(shutdownError))
        }
        // Closing the inbox takes what is queued; nothing can be queued after it.
        let leftovers = Array(batch) + inbox.close()
        for case .start(let submission) in leftovers {
            Self.fail(submission.delivery, shutdownError)
        }
        closeWithoutRunning()
    }
}
