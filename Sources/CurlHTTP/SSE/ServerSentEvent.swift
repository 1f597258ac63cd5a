/// One event of a `text/event-stream`, as dispatched by ``ServerSentEventParser``.
public struct ServerSentEvent: Sendable, Hashable {
    /// The `event:` field, or `"message"` when the event had none.
    public var event: String
    /// The `data:` lines of the event joined with `"\n"`.
    public var data: String
    /// The stream's last event ID when this event was dispatched (it persists across events until
    /// an `id:` field changes it); `nil` while it is empty.
    public var id: String?
    /// The `retry:` value (milliseconds) given in this event's block, if any.
    public var retry: Int?

    /// Creates an event.
    public init(event: String = "message", data: String, id: String? = nil, retry: Int? = nil) {
        self.event = event
        self.data = data
        self.id = id
        self.retry = retry
    }
}
