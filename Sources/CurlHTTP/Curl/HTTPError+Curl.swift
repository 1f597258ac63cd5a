import CCurl

extension HTTPError {
    /// Maps a failed `CURLcode` to an error, with curl's detailed text when it wrote one.
    ///
    /// The client enforces the idle and total limits itself and gives curl only the connect
    /// timeout, so `CURLE_OPERATION_TIMEDOUT` from curl always means the connect timeout passed.
    static func fromCurl(_ code: CURLcode, detail: String) -> HTTPError {
        let text = detail.isEmpty ? CurlGlobal.describe(code) : detail
        return HTTPError(classify(code), text, curlCode: Int(code.rawValue))
    }

    static func classify(_ code: CURLcode) -> Code {
        switch code {
        case CURLE_OPERATION_TIMEDOUT:
            return .connectTimeout
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return .connectionFailed
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM,
            CURLE_SSL_CIPHER, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR,
            CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_ENGINE_NOTFOUND,
            CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_ENGINE_INITFAILED, CURLE_SSL_CRL_BADFILE,
            CURLE_SSL_SHUTDOWN_FAILED, CURLE_USE_SSL_FAILED, CURLE_SSL_CLIENTCERT:
            return .tlsFailure
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL, CURLE_BAD_FUNCTION_ARGUMENT,
            CURLE_NOT_BUILT_IN, CURLE_UNKNOWN_OPTION:
            return .invalidRequest
        default:
            return .transport
        }
    }
}
