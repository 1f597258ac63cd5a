import BrigadeSync
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Notices that the client of `brigade run --json` went away: nobody reads standard output any more.
///
/// A thread of its own waits in `poll` on the output descriptor for the error or hang-up the kernel
/// reports once the last reader of a pipe or the peer of a socket is gone, so it is noticed at once,
/// even while every run is quiet (a tool in a long call writes nothing). Output to a file or a
/// terminal has no reader to lose and is not watched.
enum ClientDeparture {
    /// Returns when the reader of `descriptor` is gone, or when the calling task is cancelled.
    static func wait(descriptor: Int32) async {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return await OneShotSignal().wait() }
        let kind = info.st_mode & S_IFMT
        guard kind == S_IFIFO || kind == S_IFSOCK else { return await OneShotSignal().wait() }
        let gone = OneShotSignal()
        // The thread stays blocked in `poll` when the client never leaves; the process ends with the protocol.
        DetachedThread.start {
            var watched = pollfd(fd: descriptor, events: 0, revents: 0)
            while true {
                let ready = poll(&watched, 1, -1)
                if ready < 0 && errno == EINTR { continue }
                if ready < 0 || watched.revents & Int16(POLLERR | POLLHUP | POLLNVAL) != 0 { break }
            }
            gone.fire()
        }
        await gone.wait()
    }
}
