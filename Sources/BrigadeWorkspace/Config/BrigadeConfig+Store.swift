import BrigadeCore

extension BrigadeConfig {
    /// `store:` — where runs are recorded and for how long (docs/store.md). `store: off` turns it off.
    ///
    /// ```yaml
    /// store:
    ///   path: ~/brigade-runs.sqlite   # default $XDG_STATE_HOME/brigade/runs.sqlite
    ///   keep_days: 90                 # delete older runs when a store opens (default: keep)
    ///   keep_runs: 10000              # keep only the newest N runs (default: keep)
    ///   max_result_bytes: 16384       # the most of one tool result kept
    ///   required: true                # refuse to run when runs cannot be recorded (default: warn and run)
    /// ```
    public struct StoreSettings: Sendable, Hashable {
        public var enabled = true
        /// The database file (absolute); `nil` for the default (``RunStore/defaultPath(environment:)``).
        public var path: String?
        public var keepDays: Int?
        public var keepRuns: Int?
        public var maxResultBytes = 16_384
        /// A command that cannot record its runs fails (exit 1) instead of running them unrecorded.
        public var required = false

        public init() {}

        static let keys = ["enabled", "path", "keep_days", "keep_runs", "max_result_bytes", "required"]

        static func decode(_ node: ConfigNode, base: String, environment: [String: String]) throws(ConfigError) -> StoreSettings {
            var settings = StoreSettings()
            if node.node.pairs == nil {
                if case .bool(let value)? = node.node.scalarValue {
                    settings.enabled = value
                } else {
                    settings.enabled = try node.choice(["on", "off"]) == "on"
                }
                return settings
            }
            let map = try node.mapping(allowedKeys: keys)
            if let value = map.optional("enabled") { settings.enabled = try value.bool() }
            if let value = map.optional("path") {
                let text = try value.string(environment: environment)
                guard !text.isEmpty else { throw value.error("must not be empty") }
                settings.path = ConfigPath.resolve(text, against: base, home: environment["HOME"])
            }
            settings.keepDays = try map.optional("keep_days")?.int(in: 1...Int.max)
            settings.keepRuns = try map.optional("keep_runs")?.int(in: 1...Int.max)
            if let value = map.optional("max_result_bytes") { settings.maxResultBytes = try value.int(in: 256...Int.max) }
            if let value = map.optional("required") { settings.required = try value.bool() }
            return settings
        }
    }
}
