import CurlHTTP

/// The ``HTTPError`` that `body` throws, or `nil` if it returns or throws something else.
func httpError<T>(_ body: () async throws -> T) async -> HTTPError? {
    do {
        _ = try await body()
        return nil
    } catch let error as HTTPError {
        return error
    } catch {
        return nil
    }
}

extension Promise where Value == Void {
    func fulfill() { fulfill(()) }
}

#if canImport(Glibc)
import Glibc
#endif

func closeSocket(_ fd: Int32) {
    _ = close(fd)
}
