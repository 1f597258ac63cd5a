import CCurl

extension EasyTransfer {
    /// Sets every curl option for `request` on the easy handle.
    /// - Parameter events: the loop's event set, which opens and closes the sockets of the
    ///   connections this transfer opens (see `CurlEvents.c`).
    /// - Parameter headerLists: the loop's header lists, shared by requests with the same lines.
    func configure(
        _ request: PreparedRequest,
        configuration: HTTPClient.Configuration,
        events: UnsafeMutablePointer<brigade_curl_events>,
        headerLists: HeaderListCache
    ) throws(HTTPError) {
        let userdata = Unmanaged.passUnretained(self).toOpaque()

        // `withCString` hands over a native string's own bytes; passing a `String` as a C string
        // argument would copy it into a new array first.
        try check(request.url.withCString { brigade_easy_setopt_string(handle, CURLOPT_URL, $0) }, "CURLOPT_URL")
        try check(brigade_easy_setopt_long(handle, CURLOPT_NOSIGNAL, 1), "CURLOPT_NOSIGNAL")
        // `CURLOPT_QUICK_EXIT` (322, curl 7.87): a transfer removed while curl's threaded resolver
        // still runs `getaddrinfo` leaves that thread to end on its own (it frees what it holds)
        // instead of joining it — without it, cancelling a request to a host whose DNS does not
        // answer blocks the loop thread, and every other request of the client, until the lookup
        // gives up. Older curl rejects the option; it is then left unset.
        _ = brigade_easy_setopt_long(handle, CURLoption(rawValue: 322), 1)
        try check(brigade_easy_setopt_string(handle, CURLOPT_PROTOCOLS_STR, brigade_http_schemes()), "CURLOPT_PROTOCOLS_STR")
        try check(brigade_easy_setopt_string(handle, CURLOPT_REDIR_PROTOCOLS_STR, brigade_http_schemes()), "CURLOPT_REDIR_PROTOCOLS_STR")
        try check(brigade_easy_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0), "CURLOPT_FOLLOWLOCATION")
        try check(brigade_easy_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer), "CURLOPT_ERRORBUFFER")
        // Only the connect timeout is curl's; idle and total limits are enforced by the loop, so a
        // CURLE_OPERATION_TIMEDOUT can only mean the connect timeout.
        let connectMilliseconds = max(1, request.connectTimeout.roundedUpMilliseconds)
        try check(brigade_easy_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Int(connectMilliseconds)), "CURLOPT_CONNECTTIMEOUT_MS")
        try check(brigade_easy_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1), "CURLOPT_TCP_KEEPALIVE")
        // Through an HTTPS proxy, keep the proxy's CONNECT response out of the header callback.
        try check(brigade_easy_setopt_long(handle, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1), "CURLOPT_SUPPRESS_CONNECT_HEADERS")
        let verify = configuration.verifyTLS
        try check(brigade_easy_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, verify ? 1 : 0), "CURLOPT_SSL_VERIFYPEER")
        try check(brigade_easy_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, verify ? 2 : 0), "CURLOPT_SSL_VERIFYHOST")
        if configuration.acceptsCompressedResponses {
            try check(brigade_easy_setopt_string(handle, CURLOPT_ACCEPT_ENCODING, ""), "CURLOPT_ACCEPT_ENCODING")
        }

        switch request.method {
        case .get:
            try check(brigade_easy_setopt_long(handle, CURLOPT_HTTPGET, 1), "CURLOPT_HTTPGET")
        case .head:
            try check(brigade_easy_setopt_long(handle, CURLOPT_NOBODY, 1), "CURLOPT_NOBODY")
        case .custom(let method, let body):
            if let body {
                try check(brigade_easy_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)), "CURLOPT_POSTFIELDSIZE_LARGE")
                if body.isEmpty {
                    try check(brigade_easy_setopt_string(handle, CURLOPT_COPYPOSTFIELDS, ""), "CURLOPT_COPYPOSTFIELDS")
                } else {
                    let code = body.withUnsafeBytes { bytes in
                        brigade_easy_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress))
                    }
                    try check(code, "CURLOPT_COPYPOSTFIELDS")
                }
            }
            if method != "POST" || body == nil {
                try check(method.withCString { brigade_easy_setopt_string(handle, CURLOPT_CUSTOMREQUEST, $0) }, "CURLOPT_CUSTOMREQUEST")
            }
        }

        let headers = try headerLists.list(for: request.headerLines)
        headerList = headers
        try check(brigade_easy_setopt_slist(handle, CURLOPT_HTTPHEADER, headers.list), "CURLOPT_HTTPHEADER")
        if let entry = request.resolveEntry {
            guard let list = entry.withCString({ curl_slist_append(nil, $0) }) else {
                throw HTTPError(.transport, "curl_slist_append failed (out of memory)")
            }
            resolveList = list
            try check(brigade_easy_setopt_slist(handle, CURLOPT_RESOLVE, list), "CURLOPT_RESOLVE")
        }

        try check(brigade_easy_setopt_data_callback(handle, CURLOPT_WRITEFUNCTION, writeCallback), "CURLOPT_WRITEFUNCTION")
        try check(brigade_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, userdata), "CURLOPT_WRITEDATA")
        try check(brigade_easy_setopt_data_callback(handle, CURLOPT_HEADERFUNCTION, headerCallback), "CURLOPT_HEADERFUNCTION")
        try check(brigade_easy_setopt_pointer(handle, CURLOPT_HEADERDATA, userdata), "CURLOPT_HEADERDATA")
        try check(brigade_easy_setopt_prereq_callback(handle, prereqCallback), "CURLOPT_PREREQFUNCTION")
        try check(brigade_easy_setopt_pointer(handle, CURLOPT_PREREQDATA, userdata), "CURLOPT_PREREQDATA")
        try check(brigade_easy_setopt_xferinfo_callback(handle, progressCallback), "CURLOPT_XFERINFOFUNCTION")
        try check(brigade_easy_setopt_pointer(handle, CURLOPT_XFERINFODATA, userdata), "CURLOPT_XFERINFODATA")
        try check(brigade_easy_setopt_long(handle, CURLOPT_NOPROGRESS, 0), "CURLOPT_NOPROGRESS")
        try check(brigade_events_watch_sockets(events, handle), "CURLOPT_OPENSOCKETFUNCTION")
    }

    private func check(_ code: CURLcode, _ option: String) throws(HTTPError) {
        guard code == CURLE_OK else {
            throw HTTPError(.transport, "curl rejected \(option): \(CurlGlobal.describe(code))", curlCode: Int(code.rawValue))
        }
    }
}

// The C callbacks. `userdata` is the unretained `EasyTransfer`, alive while its handle is in the multi.

private func transfer(from userdata: UnsafeMutableRawPointer?) -> EasyTransfer? {
    userdata.map { Unmanaged<EasyTransfer>.fromOpaque($0).takeUnretainedValue() }
}

private let writeCallback: brigade_data_callback = { pointer, size, count, userdata in
    guard let transfer = transfer(from: userdata) else { return 0 }
    return transfer.receiveBody(UnsafeRawBufferPointer(start: pointer, count: size * count))
}

private let headerCallback: brigade_data_callback = { pointer, size, count, userdata in
    guard let transfer = transfer(from: userdata) else { return 0 }
    return transfer.receiveHeaderLine(UnsafeRawBufferPointer(start: pointer, count: size * count))
}

private let prereqCallback: brigade_prereq_callback = { userdata, _, _, _, _ in
    transfer(from: userdata)?.noteConnected()
    return brigade_prereq_ok()
}

private let progressCallback: brigade_xferinfo_callback = { userdata, _, downloaded, _, uploaded in
    transfer(from: userdata)?.noteProgress(downloaded: downloaded, uploaded: uploaded)
    return 0
}
