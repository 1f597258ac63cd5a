import CCurl

/// A `curl_slist` of request header lines, shared by the transfers that send the same lines; freed
/// when the last of them and the loop's ``HeaderListCache`` let go of it.
///
/// curl only reads the list (and copies what it sends), and each transfer keeps its reference until
/// its handle was reset or freed, so a list is never freed while a handle points at it.
/// Loop thread only.
final class HeaderList {
    let lines: [String]
    let list: UnsafeMutablePointer<curl_slist>?

    /// Builds the list from `lines`.
    /// - Throws: ``HTTPError/Code/transport`` when curl cannot allocate it.
    init(_ lines: [String]) throws(HTTPError) {
        var list: UnsafeMutablePointer<curl_slist>?
        for line in lines {
            guard let extended = line.withCString({ curl_slist_append(list, $0) }) else {
                curl_slist_free_all(list)
                throw HTTPError(.transport, "curl_slist_append failed (out of memory)")
            }
            list = extended
        }
        self.lines = lines
        self.list = list
    }

    deinit {
        curl_slist_free_all(list)
    }
}

/// The loop's most recent ``HeaderList``: a request whose header lines are the very same array
/// (a client hands the same lines to requests with the same headers, see ``PreparedHeaders``) takes
/// it instead of building a list of its own. Loop thread only.
final class HeaderListCache {
    private var last: HeaderList?

    /// The list for `lines`: the cached one when `lines` is the same array (the cache holds that
    /// array, so its storage cannot have been reused for another), else a new one, then cached.
    func list(for lines: [String]) throws(HTTPError) -> HeaderList {
        if let last, Self.isSameArray(last.lines, lines) { return last }
        let made = try HeaderList(lines)
        last = made
        return made
    }

    /// Lets go of the cached list (it is freed once no transfer holds it).
    func removeAll() {
        last = nil
    }

    private static func isSameArray(_ lhs: [String], _ rhs: [String]) -> Bool {
        lhs.count == rhs.count && lhs.withUnsafeBufferPointer { left in
            rhs.withUnsafeBufferPointer { right in left.baseAddress == right.baseAddress }
        }
    }
}
