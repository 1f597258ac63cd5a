/// The events completed by one ``ServerSentEventParser/feed(_:into:)``, their data kept as bytes.
///
/// For a reader that looks at each event's data once, as bytes (a model stream's JSON chunks): the
/// data of all the events lands in one buffer that keeps its capacity from one feed to the next, so
/// an event costs no allocation of its own, where ``ServerSentEventParser/feed(_:)`` decodes a
/// `String` for each. The same events, field for field: ``Event/serverSentEvent`` is the event
/// ``ServerSentEventParser/feed(_:)`` returns.
public struct ServerSentEventBatch: RandomAccessCollection, Sendable {
    /// One event of the batch.
    public struct Event: Sendable {
        /// The `event:` field, or `"message"` when the event had none.
        public var event: String
        /// The `data:` lines of the event joined with LF, as received (UTF-8 not yet checked).
        public var data: ArraySlice<UInt8>
        /// The stream's last event ID when this event was dispatched; `nil` while it is empty.
        public var id: String?
        /// The `retry:` value (milliseconds) given in this event's block, if any.
        public var retry: Int?

        /// ``data`` decoded as UTF-8 (invalid sequences become U+FFFD), as ``ServerSentEvent/data``.
        public var dataText: String { String(decoding: data, as: UTF8.self) }

        /// The event as ``ServerSentEventParser/feed(_:)`` returns it.
        public var serverSentEvent: ServerSentEvent {
            ServerSentEvent(event: event, data: dataText, id: id, retry: retry)
        }
    }

    private struct Entry: Sendable {
        var event: String
        var id: String?
        var retry: Int?
        var dataEnd: Int
    }

    /// Every event's data, one after the other.
    private var bytes: [UInt8] = []
    private var entries: [Entry] = []

    /// An empty batch.
    public init() {}

    public var startIndex: Int { 0 }
    public var endIndex: Int { entries.count }

    public subscript(position: Int) -> Event {
        let entry = entries[position]
        let start = position == 0 ? 0 : entries[position - 1].dataEnd
        return Event(event: entry.event, data: bytes[start..<entry.dataEnd], id: entry.id, retry: entry.retry)
    }

    /// Appends an event whose data is `data`.
    mutating func append(event: String, data: UnsafeBufferPointer<UInt8>, id: String?, retry: Int?) {
        bytes.append(contentsOf: data)
        entries.append(Entry(event: event, id: id, retry: retry, dataEnd: bytes.count))
    }

    /// Removes every event, keeping a small buffer for the next feed (a large one is let go, as the
    /// parser lets go of a large event's buffer).
    mutating func removeAll() {
        if bytes.capacity > Self.retainedCapacity { bytes = [] } else { bytes.removeAll(keepingCapacity: true) }
        entries.removeAll(keepingCapacity: entries.capacity <= Self.retainedEntries)
    }

    private static let retainedCapacity = 64 * 1024
    private static let retainedEntries = 256
}
