import QCCore

/// Rule defaults overlaid with the project's `params`: a param the rule does not declare,
/// or a value of another type than its default, is an error naming the config field —
/// a misspelt threshold must never be silently ignored.
enum ParamResolver {
    static func resolve(rules: [LoadedRule], config: ProjectConfig,
                        knownIds: [String]) throws(EngineError) -> [String: [(name: String, value: LuaValue)]] {
        var out: [String: [(name: String, value: LuaValue)]] = [:]
        for rule in rules { out[rule.definition.id] = rule.definition.params }
        let place = config.path ?? "qcpass.lua"
        for (check, overrides) in config.params {
            guard var current = out[check] else {
                if knownIds.contains(check) { continue }  // the rule failed to load; it reports that itself
                throw EngineError.config(place: place, message:
                    "params.\(check): no check '\(check)' in the rule pack (known: \(knownIds.joined(separator: ", ")))")
            }
            for (name, value) in overrides {
                guard let i = current.firstIndex(where: { $0.name == name }) else {
                    let known = current.map(\.name).joined(separator: ", ")
                    throw EngineError.config(place: place, message:
                        "params.\(check).\(name): unknown param of \(check) (known: \(known.isEmpty ? "none" : known))")
                }
                guard sameKind(current[i].value, value) else {
                    throw EngineError.config(place: place, message:
                        "params.\(check).\(name): expected a \(current[i].value.typeName) like the default, got \(value.typeName)")
                }
                current[i].value = value
            }
            out[check] = current
        }
        return out
    }

    static func sameKind(_ a: LuaValue, _ b: LuaValue) -> Bool {
        switch (a, b) {
        case (.int, .int), (.int, .number), (.number, .int), (.number, .number),
             (.bool, .bool), (.string, .string), (.table, .table): return true
        default: return false
        }
    }
}
