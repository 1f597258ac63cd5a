import BrigadeCore

/// A plausibility check of a tool's `parameters` schema at load time (the full validator is
/// `JSONSchemaValidator`): an object schema whose property schemas are mappings, with known type
/// names and `required` naming declared properties.
enum ToolSchemaCheck {
    static let typeNames = ["string", "number", "integer", "boolean", "array", "object", "null"]

    static func checkParameters(_ node: ConfigNode) throws(ConfigError) {
        let map = try node.mapping()
        let type = try map.required("type")
        guard type.node.scalarValue == .string("object") else {
            throw type.error("tool parameters must be a schema with `type: object`")
        }
        try checkSchema(node)
    }

    /// Checks one schema mapping and the schemas nested in it.
    static func checkSchema(_ node: ConfigNode) throws(ConfigError) {
        let map = try node.mapping()
        if let type = map.optional("type") {
            let names = type.node.items != nil ? try type.sequence() : [type]
            for name in names { _ = try name.choice(typeNames) }
        }
        var declared: [String]?
        if let properties = map.optional("properties") {
            let entries = try properties.mapping().entries
            declared = entries.map(\.key)
            for entry in entries {
                guard entry.value.node.pairs != nil else {
                    throw entry.value.typeMismatch(expected: "a property schema (mapping)")
                }
                try checkSchema(entry.value)
            }
        }
        if let required = map.optional("required") {
            for item in try required.sequence() {
                let name = try item.string()
                if let declared, !declared.contains(name) {
                    throw item.error("required property `\(name)` is not declared in `properties`"
                        + (ConfigSuggestion.closest(to: name, among: declared).map { "; did you mean `\($0)`?" } ?? ""))
                }
            }
        }
        if let items = map.optional("items") {
            guard items.node.pairs != nil else { throw items.typeMismatch(expected: "a schema (mapping)") }
            try checkSchema(items)
        }
        if let additional = map.optional("additionalProperties") {
            if additional.node.pairs != nil {
                try checkSchema(additional)
            } else {
                _ = try additional.bool()
            }
        }
        if let options = map.optional("enum") {
            guard options.node.items != nil else { throw options.typeMismatch(expected: "sequence") }
        }
    }
}
