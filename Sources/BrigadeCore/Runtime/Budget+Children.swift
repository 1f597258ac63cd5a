/// Child budgets: a run (a sub-agent, a map worker) spends a slice carved from its parent's budget.
///
/// Opening a child holds its slice in the parent (``Budget/heldByChildren`` counts as spent by every
/// admission of the parent and of its other children); closing it gives the slice back and adds what
/// the child actually spent (usage, model and tool costs, tool calls) to the parent's ledger — so what
/// the child left unspent returns to the parent.
///
/// ## Overshoot bound of a tree
/// A slice is at most what the parent's regular work may still spend (the cap minus the synthesis
/// reserve, what was spent and what other children hold). A child obeys the bound of ``Budget``
/// within its slice: it exceeds it by at most one admitted call's excess. So the spend of a whole tree
/// exceeds the root's cap by at most one admitted call's excess per budget of the tree (each budget
/// crosses its own cap at most once; once it has, it admits nothing more and opens no child).
extension Budget {
    /// What a child holds of its parent's caps; zero where the parent has no cap.
    public struct Slice: Sendable, Hashable {
        public var usd: Double
        public var inputTokens: Int
        public var outputTokens: Int
        public var toolCalls: Int

        public init(usd: Double = 0, inputTokens: Int = 0, outputTokens: Int = 0, toolCalls: Int = 0) {
            self.usd = usd
            self.inputTokens = inputTokens
            self.outputTokens = outputTokens
            self.toolCalls = toolCalls
        }
    }

    /// The answer to ``openChild(requesting:now:)``.
    public enum ChildOpening: Sendable, Hashable {
        /// The child's budget: its caps are the requested ones, lowered to what the parent can give.
        case opened(Budget)
        /// The parent has no room left under this cap.
        case refused(Limit)
    }

    /// Carves a child budget out of what this budget's regular work may still spend.
    ///
    /// For each cap of this budget (USD, input and output tokens, calls per run) the child gets the
    /// requested amount, or all that is left when it requests none, never more than is left; a cap
    /// with nothing left refuses the child. Its wall time ends at this budget's dispatch deadline at
    /// the latest. Turns and calls per turn are the child's own (from `requested`). The slice is held
    /// until ``closeChild(_:)``.
    public mutating func openChild(requesting requested: Limits, now: ContinuousClock.Instant) -> ChildOpening {
        if let end = dispatchDeadline, now >= end { return .refused(.wallTime) }
        var limits = requested
        var slice = Slice()
        let need = synthesisNeed ?? SynthesisNeed(inputTokens: 0, outputTokens: 0)
        if let cap = self.limits.usd {
            let needUSD = pricing.cost(of: TokenUsage(inputTokens: need.inputTokens, outputTokens: need.outputTokens))
            let room = cap - kept(of: cap, need: needUSD, purpose: .turn) - costUSD - heldByChildren.usd
            if room <= 0 { return .refused(.usd) }
            slice.usd = min(requested.usd ?? room, room)
            limits.usd = slice.usd
        }
        if let cap = self.limits.inputTokens {
            let room = Int((Double(cap) - kept(of: Double(cap), need: Double(need.inputTokens), purpose: .turn)).rounded(.down)) - usage.inputTokens - heldByChildren.inputTokens
            if room <= 0 { return .refused(.inputTokens) }
            slice.inputTokens = min(requested.inputTokens ?? room, room)
            limits.inputTokens = slice.inputTokens
        }
        if let cap = self.limits.outputTokens {
            let room = Int((Double(cap) - kept(of: Double(cap), need: Double(need.outputTokens), purpose: .turn)).rounded(.down)) - usage.outputTokens - heldByChildren.outputTokens
            if room <= 0 { return .refused(.outputTokens) }
            slice.outputTokens = min(requested.outputTokens ?? room, room)
            limits.outputTokens = slice.outputTokens
        }
        if let cap = self.limits.maxCallsPerRun {
            let room = cap - toolCalls - heldByChildren.toolCalls
            if room <= 0 { return .refused(.callsPerRun) }
            slice.toolCalls = min(requested.maxCallsPerRun ?? room, room)
            limits.maxCallsPerRun = slice.toolCalls
        }
        if let end = dispatchDeadline {
            let left = end - now
            limits.wallTime = min(requested.wallTime ?? left, left)
        }
        heldByChildren = heldByChildren + slice
        var child = Budget(limits: limits, pricing: pricing, startedAt: now)
        child.slice = slice
        return .opened(child)
    }

    /// Closes a child opened by ``openChild(requesting:now:)``: its slice is no longer held, and what it
    /// spent — usage, model and tool costs, tool calls — is added to this budget. What the child's own
    /// children still hold stays held here until they close (they roll up past their closed parent).
    public mutating func closeChild(_ child: Budget) {
        heldByChildren = heldByChildren - (child.slice ?? Slice()) + child.heldByChildren
        usage = usage + child.usage
        modelCostUSD += child.modelCostUSD
        toolCostUSD += child.toolCostUSD
        toolCalls += child.toolCalls
    }
}

extension Budget.Slice {
    static func + (left: Self, right: Self) -> Self {
        Self(usd: left.usd + right.usd, inputTokens: left.inputTokens + right.inputTokens, outputTokens: left.outputTokens + right.outputTokens, toolCalls: left.toolCalls + right.toolCalls)
    }

    /// Never below zero.
    static func - (left: Self, right: Self) -> Self {
        Self(
            usd: max(0, left.usd - right.usd), inputTokens: max(0, left.inputTokens - right.inputTokens),
            outputTokens: max(0, left.outputTokens - right.outputTokens), toolCalls: max(0, left.toolCalls - right.toolCalls))
    }
}
