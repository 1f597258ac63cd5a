#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A `text/event-stream` parser following the HTML standard's "event stream interpretation".
///
/// A pure state machine: ``feed(_:)`` takes bytes split anywhere (inside a line, inside a UTF-8
/// sequence, between the CR and LF of a CRLF) and returns the events completed by them. Lines
/// end with CR, LF or CRLF; a leading byte order mark is ignored; lines starting with `:` are
/// comments; one space after a field's colon is dropped; several `data:` lines are joined with
/// `"\n"`; `id:` values containing NUL are ignored; `retry:` must be ASCII digits. Each line is
/// decoded as UTF-8 only once it is complete (invalid sequences become U+FFFD).
///
/// Memory is bounded by ``Limits``: a line longer than ``Limits/maxLineBytes`` or an event whose
/// data passes ``Limits/maxEventBytes`` fails ``feed(_:)`` with ``HTTPError/Code/responseTooLarge``,
/// so a server that never ends a line or an event cannot grow the parser without bound.
public struct ServerSentEventParser: Sendable {
    /// The most bytes the parser holds for one line and for one event.
    public struct Limits: Sendable, Hashable {
        /// The longest line, without its line end. Default 4 MiB.
        public var maxLineBytes: Int
        /// The most `data:` bytes of one event, all its lines together. Default 16 MiB.
        public var maxEventBytes: Int

        /// - Parameters:
        ///   - maxLineBytes: default 4 MiB.
        ///   - maxEventBytes: default 16 MiB.
        public init(maxLineBytes: Int = 4 * 1024 * 1024, maxEventBytes: Int = 16 * 1024 * 1024) {
            self.maxLineBytes = maxLineBytes
            self.maxEventBytes = maxEventBytes
        }
    }

    /// The caps this parser enforces.
    public let limits: Limits
    private var partialLine: [UInt8] = []
    /// The previous chunk ended with CR: a LF at the start of the next one ends no new line.
    private var skipsLeadingLineFeed = false
    /// No line has been completed yet, so the first one may begin with a byte order mark.
    private var isAtStreamStart = true
    /// The event's `data:` lines, each followed by LF, as bytes: copied into the batch when the
    /// event is dispatched (the buffer keeps its capacity across events).
    private var data: [UInt8] = []
    private var hasData = false
    /// The last `event:` value decoded, kept across events so that a repeated type is not decoded
    /// (and allocated) again; `hasEventType` says whether the current event set it.
    private var eventType = ""
    private var hasEventType = false
    private var retryInBlock: Int?

    /// The last event ID, which persists across events and is what a reconnecting client sends
    /// as `Last-Event-ID`.
    public private(set) var lastEventID = ""
    /// The reconnection time in milliseconds from the most recent valid `retry:` field.
    public private(set) var reconnectionTime: Int?

    /// Creates a parser at the start of a stream.
    /// - Parameter limits: the caps on line and event size (default ``Limits/init(maxLineBytes:maxEventBytes:)``).
    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// Parses more bytes of the stream.
    /// - Returns: the events completed by these bytes, in order.
    /// - Throws: ``HTTPError/Code/responseTooLarge`` when a line or an event passes its cap (the
    ///   message names the cap); the stream is then unusable and the parser is reset as by ``finish()``.
    public mutating func feed(_ bytes: some Collection<UInt8>) throws(HTTPError) -> [ServerSentEvent] {
        var batch = ServerSentEventBatch()
        try feed(bytes, into: &batch)
        return batch.map(\.serverSentEvent)
    }

    /// Parses more bytes of the stream, as ``feed(_:)`` does, into `batch`, which then holds the
    /// events completed by these bytes (and no others), their data as bytes: no `String` is made
    /// for an event's data, and a batch reused from feed to feed keeps its buffers.
    /// - Throws: as ``feed(_:)``; `batch` is then empty.
    public mutating func feed(_ bytes: some Collection<UInt8>, into batch: inout ServerSentEventBatch) throws(HTTPError) {
        batch.removeAll()
        var failure: HTTPError?
        let handled: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            failure = feed(buffer, into: &batch)
        }
        if handled == nil {
            Array(bytes).withUnsafeBufferPointer { failure = feed($0, into: &batch) }
        }
        if let failure {
            finish()
            batch.removeAll()
            throw failure
        }
    }

    /// Ends the stream. As the standard says, an event not yet ended by an empty line is
    /// discarded, as is a partial line. The last event ID and reconnection time are kept; the
    /// parser is ready for a new stream (for example after reconnecting).
    public mutating func finish() {
        partialLine = []
        skipsLeadingLineFeed = false
        isAtStreamStart = true
        resetEvent()
    }

    /// - Returns: the cap that was passed, if any.
    private mutating func feed(_ buffer: UnsafeBufferPointer<UInt8>, into events: inout ServerSentEventBatch) -> HTTPError? {
        let count = buffer.count
        var index = 0
        if skipsLeadingLineFeed, count > 0 {
            skipsLeadingLineFeed = false
            if buffer[0] == Self.lineFeed { index = 1 }
        }
        var lineStart = index
        // The next LF and the next CR at or after `index`, each found by `memchr` (vectorised in
        // libc) and searched again only once passed, so every byte is scanned at most twice.
        var nextLineFeed = -1
        var nextCarriageReturn = -1
        while index < count {
            if nextLineFeed < index { nextLineFeed = Self.index(of: Self.lineFeed, in: buffer, from: index) }
            if nextCarriageReturn < index { nextCarriageReturn = Self.index(of: Self.carriageReturn, in: buffer, from: index) }
            index = min(nextLineFeed, nextCarriageReturn)
            guard index < count else { break }
            let byte = buffer[index]
            let tail = UnsafeBufferPointer(rebasing: buffer[lineStart..<index])
            if partialLine.count + tail.count > limits.maxLineBytes { return lineTooLong() }
            var failure: HTTPError?
            if partialLine.isEmpty {
                failure = process(line: tail, into: &events)
            } else {
                // Take the buffer out (not a copy) so that clearing it afterwards keeps its capacity.
                var line: [UInt8] = []
                swap(&line, &partialLine)
                line.append(contentsOf: tail)
                line.withUnsafeBufferPointer { failure = process(line: $0, into: &events) }
                line.removeAll(keepingCapacity: true)
                partialLine = line
            }
            if let failure { return failure }
            if byte == Self.carriageReturn {
                if index + 1 < count {
                    if buffer[index + 1] == Self.lineFeed { index += 1 }
                } else {
                    skipsLeadingLineFeed = true
                }
            }
            index += 1
            lineStart = index
        }
        if lineStart < count {
            if partialLine.count + (count - lineStart) > limits.maxLineBytes { return lineTooLong() }
            partialLine.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[lineStart..<count]))
        }
        return nil
    }

    /// The index of the first `byte` at or after `start`, or `buffer.count`.
    private static func index(of byte: UInt8, in buffer: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        guard let base = buffer.baseAddress, start < buffer.count,
              let found = memchr(base + start, Int32(byte), buffer.count - start)
        else { return buffer.count }
        return UnsafeRawPointer(found) - UnsafeRawPointer(base)
    }

    private func lineTooLong() -> HTTPError {
        HTTPError(.responseTooLarge, "an event-stream line is longer than the \(limits.maxLineBytes)-byte cap (maxLineBytes)")
    }

    private mutating func process(line whole: UnsafeBufferPointer<UInt8>, into events: inout ServerSentEventBatch) -> HTTPError? {
        var line = whole[...]
        if isAtStreamStart {
            isAtStreamStart = false
            if line.starts(with: Self.byteOrderMark) { line = line.dropFirst(3) }
        }
        guard let first = line.first else {
            dispatch(into: &events)
            return nil
        }
        if first == Self.colon { return nil }
        let field: Slice<UnsafeBufferPointer<UInt8>>
        var value: Slice<UnsafeBufferPointer<UInt8>>
        if let colon = line.firstIndex(of: Self.colon) {
            field = line[..<colon]
            value = line[(colon + 1)...]
            if value.first == Self.space { value = value.dropFirst() }
        } else {
            field = line
            value = line[line.endIndex...]
        }
        if Self.field(field, is: "data") {
            if data.count + value.count + 1 > limits.maxEventBytes {
                return HTTPError(.responseTooLarge, "an event-stream event's data is larger than the \(limits.maxEventBytes)-byte cap (maxEventBytes)")
            }
            data.append(contentsOf: value)
            data.append(Self.lineFeed)
            hasData = true
        } else if Self.field(field, is: "event") {
            if !eventType.utf8.elementsEqual(value) { eventType = String(decoding: value, as: UTF8.self) }
            hasEventType = true
        } else if Self.field(field, is: "id") {
            if !value.contains(0), !lastEventID.utf8.elementsEqual(value) {
                lastEventID = String(decoding: value, as: UTF8.self)
            }
        } else if Self.field(field, is: "retry") {
            if let milliseconds = Self.parseDigits(value) {
                reconnectionTime = milliseconds
                retryInBlock = milliseconds
            }
        }
        return nil
    }

    private mutating func dispatch(into events: inout ServerSentEventBatch) {
        defer { resetEvent() }
        guard hasData else { return }
        // Every data line ended with LF; the last one is not part of the data.
        data.withUnsafeBufferPointer { buffer in
            events.append(
                event: hasEventType && !eventType.isEmpty ? eventType : "message",
                data: UnsafeBufferPointer(rebasing: buffer.dropLast()),
                id: lastEventID.isEmpty ? nil : lastEventID,
                retry: retryInBlock
            )
        }
    }

    private mutating func resetEvent() {
        // Keep a small buffer for the next event; let a large one go rather than hold it for the stream.
        if data.capacity > Self.retainedDataCapacity { data = [] } else { data.removeAll(keepingCapacity: true) }
        hasData = false
        hasEventType = false
        retryInBlock = nil
    }

    /// A non-empty run of ASCII digits that fits in an `Int`, else `nil`.
    private static func parseDigits(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> Int? {
        guard !bytes.isEmpty else { return nil }
        var result = 0
        for byte in bytes {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let (shifted, overflow1) = result.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = shifted.addingReportingOverflow(Int(byte - UInt8(ascii: "0")))
            if overflow1 || overflow2 { return nil }
            result = sum
        }
        return result
    }

    private static let lineFeed = UInt8(ascii: "\n")
    private static let carriageReturn = UInt8(ascii: "\r")
    private static let colon = UInt8(ascii: ":")
    private static let space = UInt8(ascii: " ")
    private static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]
    private static let retainedDataCapacity = 64 * 1024

    /// Whether a field name is `name` (an ASCII literal), without building an array to compare with.
    @inline(__always)
    private static func field(_ field: Slice<UnsafeBufferPointer<UInt8>>, is name: StaticString) -> Bool {
        guard field.count == name.utf8CodeUnitCount else { return false }
        let expected = UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount)
        return field.elementsEqual(expected)
    }
}
