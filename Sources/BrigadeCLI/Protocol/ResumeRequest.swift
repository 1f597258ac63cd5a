import Brigade

/// A `resume` request: continue a stored run (docs/store.md) — one whose process ended mid-run, or one
/// paused for approval, after recording a decision on its waiting calls.
struct ResumeRequest: Equatable {
    /// The client's id, echoed in every event of the resumed run.
    var id: JSONValue
    /// The stored run (`run_id` of its events when it ran).
    var runID: RunID
    /// `decision`: `approve` or `deny` the waiting calls (`call_id`: one of them) before resuming.
    var decision: ApprovalDecision?
    var callID: String?
    /// `"approval": "defer"`: a later call that needs approval pauses the run again instead of asking.
    var deferApproval = false
}

extension ResumeRequest {
    init(_ value: JSONValue, id: JSONValue?) throws(ProtocolFailure) {
        guard let id else { throw ProtocolFailure("invalid_request", "a resume needs an \"id\" (a non-empty string or an integer)") }
        guard let runID = value["run_id"]?.stringValue.flatMap(RunID.init(rawValue:)) else {
            throw ProtocolFailure("invalid_request", "a resume needs the \"run_id\" of a stored run (a non-empty string)", id: id)
        }
        var decision: ApprovalDecision?
        if let given = value["decision"], !given.isNull {
            switch given.stringValue {
            case "approve": decision = .approve
            case "deny": decision = .deny
            default:
                throw ProtocolFailure("invalid_request", "\"decision\" must be \"approve\" or \"deny\", got \(given.jsonString.quotedForError())", id: id)
            }
        }
        var callID: String?
        if let given = value["call_id"], !given.isNull {
            guard let text = given.stringValue, !text.isEmpty else {
                throw ProtocolFailure("invalid_request", "\"call_id\" must be a non-empty string", id: id)
            }
            guard decision != nil else { throw ProtocolFailure("invalid_request", "\"call_id\" goes with a \"decision\"", id: id) }
            callID = text
        }
        var deferApproval = false
        if let given = value["approval"], !given.isNull {
            guard given.stringValue == "ask" || given.stringValue == "defer" else {
                throw ProtocolFailure("invalid_request", "\"approval\" must be \"ask\" or \"defer\", got \(given.jsonString.quotedForError())", id: id)
            }
            deferApproval = given.stringValue == "defer"
        }
        self.init(id: id, runID: runID, decision: decision, callID: callID, deferApproval: deferApproval)
    }
}
