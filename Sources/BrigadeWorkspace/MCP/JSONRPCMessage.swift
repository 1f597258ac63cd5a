import BrigadeCore

/// One JSON-RPC 2.0 message as MCP's stdio transport carries it: one JSON object per line.
package enum JSONRPCMessage: Sendable, Hashable {
    case request(id: JSONValue, method: String, params: JSONValue?)
    case notification(method: String, params: JSONValue?)
    case response(id: JSONValue, result: JSONValue)
    case failure(id: JSONValue, error: JSONRPCError)

    /// Reads a message from a parsed object.
    /// - Throws: ``JSONRPCError/invalidRequest`` naming what is wrong.
    package init(json: JSONValue) throws(JSONRPCError) {
        guard case .object(let object) = json else { throw .invalidRequest("a message must be a JSON object, got \(json.typeName)") }
        guard object["jsonrpc"]?.stringValue == "2.0" else { throw .invalidRequest("`jsonrpc` must be \"2.0\"") }
        let id = object["id"]
        if let method = object["method"] {
            guard let name = method.stringValue else { throw .invalidRequest("`method` must be a string") }
            if let id, !id.isNull {
                guard Self.isValidID(id) else { throw .invalidRequest("`id` must be a string or an integer") }
                self = .request(id: id, method: name, params: object["params"])
            } else {
                self = .notification(method: name, params: object["params"])
            }
            return
        }
        guard let id else { throw .invalidRequest("a message needs `method` or `id`") }
        if let error = object["error"] {
            let code = error["code"]?.intValue ?? JSONRPCError.internalErrorCode
            let message = error["message"]?.stringValue ?? "(no message)"
            self = .failure(id: id, error: JSONRPCError(code: code, message: message, data: error["data"]))
        } else if let result = object["result"] {
            self = .response(id: id, result: result)
        } else {
            throw .invalidRequest("a response needs `result` or `error`")
        }
    }

    /// Parses one line; an empty line is not a message.
    package static func decode(line: some Collection<UInt8>) -> Result<JSONRPCMessage, JSONRPCError> {
        let json: JSONValue
        do { json = try JSONValue(parsing: line) } catch { return .failure(.parseError("not JSON: \(error)")) }
        do { return .success(try JSONRPCMessage(json: json)) } catch { return .failure(error) }
    }

    static func isValidID(_ id: JSONValue) -> Bool {
        switch id {
        case .string, .integer: true
        default: false
        }
    }

    /// The message as a JSON object.
    package var json: JSONValue {
        var object: JSONObject = ["jsonrpc": "2.0"]
        switch self {
        case .request(let id, let method, let params):
            object["id"] = id
            object["method"] = .string(method)
            if let params { object["params"] = params }
        case .notification(let method, let params):
            object["method"] = .string(method)
            if let params { object["params"] = params }
        case .response(let id, let result):
            object["id"] = id
            object["result"] = result
        case .failure(let id, let error):
            object["id"] = id
            var body: JSONObject = ["code": .integer(error.code), "message": .string(error.message)]
            if let data = error.data { body["data"] = data }
            object["error"] = .object(body)
        }
        return .object(object)
    }

    /// The message as one line of the stdio transport (compact JSON and a newline).
    package var line: [UInt8] { Array((json.jsonString + "\n").utf8) }
}

/// A JSON-RPC error object; also what a remote side answered instead of a result.
package struct JSONRPCError: Error, Sendable, Hashable, CustomStringConvertible {
    package var code: Int
    package var message: String
    package var data: JSONValue?

    package init(code: Int, message: String, data: JSONValue? = nil) {
        self.code = code
        self.message = message
        self.data = data
    }

    package static let parseErrorCode = -32700
    package static let invalidRequestCode = -32600
    package static let methodNotFoundCode = -32601
    package static let invalidParamsCode = -32602
    package static let internalErrorCode = -32603

    package static func parseError(_ message: String) -> JSONRPCError { JSONRPCError(code: parseErrorCode, message: message) }
    package static func invalidRequest(_ message: String) -> JSONRPCError { JSONRPCError(code: invalidRequestCode, message: message) }
    package static func methodNotFound(_ method: String) -> JSONRPCError {
        JSONRPCError(code: methodNotFoundCode, message: "method not found: \(method)")
    }
    package static func invalidParams(_ message: String) -> JSONRPCError { JSONRPCError(code: invalidParamsCode, message: message) }

    package var description: String { "\(message) (JSON-RPC error \(code))" }
}
