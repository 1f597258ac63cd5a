import Synchronization

/// A source file's name, interned: a number that stands for the name in every `SourceLocation`, so
/// that a location is plain data (copied without reference counting) however many nodes of a
/// configuration tree carry one.
///
/// Names are kept for the life of the process; a process loads few distinct files (its
/// configuration, tools, routes and prompts), and reloading the same file reuses its number.
package struct SourceFile: Sendable, Hashable {
    package let id: UInt32

    private struct Table {
        var ids: [String: UInt32] = [:]
        var names: [String] = []
    }

    private static let table = Mutex(Table())

    /// The number for `name`, the same for every call with an equal name.
    package init(_ name: String) {
        id = Self.table.withLock { table in
            if let id = table.ids[name] { return id }
            let id = UInt32(table.names.count)
            table.names.append(name)
            table.ids[name] = id
            return id
        }
    }

    package var name: String {
        Self.table.withLock { $0.names[Int(id)] }
    }
}
