#if canImport(Glibc)
import Glibc

/// Descriptor hygiene for children started with `posix_spawn`.
///
/// Tests run in parallel in one process, so at any moment other tests hold sockets and pipe ends
/// (FlyingFox does not open them close-on-exec). A child that inherits one keeps it open for its whole
/// life: a stopped server's port still accepts connections, a pipe never reaches end of file, a peer
/// never sees a close. swift-subprocess closes them in its children; this does the same.
public enum SpawnHygiene {
    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34), a GNU extension not exported to Swift.
    private static let addCloseFrom: AddCloseFrom? = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np").map {
        unsafeBitCast($0, to: AddCloseFrom.self)
    }

    /// Adds, as the last file action, the closing of every descriptor from 3 up in the child.
    /// - Returns: `false` when this C library cannot do it.
    public static func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) -> Bool {
        guard let addCloseFrom else { return false }
        return addCloseFrom(&actions, 3) == 0
    }
}
#endif
