import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A Unix signal delivered to a handler on a dispatch queue instead of its default action.
///
/// The signal's disposition is set to ignore (so SIGINT no longer kills the process) and a dispatch
/// signal source reports it; ``cancel()`` stops the reports and restores the default action. Works on
/// Linux, where libdispatch reads signals through a signalfd.
final class SignalSource {
    let signal: Int32
    private let source: any DispatchSourceSignal

    /// - Parameters:
    ///   - signal: e.g. `SIGINT`, `SIGWINCH`.
    ///   - queue: where `handler` runs.
    ///   - handler: called once per batch of deliveries.
    init(signal: Int32, queue: DispatchQueue, handler: @escaping @Sendable () -> Void) {
        self.signal = signal
        Glibc.signal(signal, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: signal, queue: queue)
        source.setEventHandler(handler: handler)
        source.resume()
    }

    func cancel() {
        source.cancel()
        Glibc.signal(signal, SIG_DFL)
    }
}
