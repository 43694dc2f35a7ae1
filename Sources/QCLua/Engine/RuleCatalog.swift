import Foundation
import QCCore

/// `qcpass rules`: every check with its title, description, params and defaults, read
/// from the pack itself so the listing cannot drift from what runs.
public enum RuleCatalog {
    public static func definitions(pack: RulePack) throws(EngineError) -> [RuleDefinition] {
        var options = CheckEngine.Options()
        options.limits = LuaSandbox.Limits(memoryBytes: 64 << 20, timeoutSeconds: 10)
        var out: [RuleDefinition] = []
        for source in pack.rules {
            let id = URL(fileURLWithPath: source.path).deletingPathExtension().lastPathComponent
            out.append(try LoadedRule.load(source: source, id: id, pack: pack, options: options).definition)
        }
        return out
    }

    /// The audit rule (`audit/sample.lua`), whose params are tuned like a check's.
    public static func auditDefinition(pack: RulePack) throws(EngineError) -> RuleDefinition? {
        guard let source = pack.auditRule else { return nil }
        var options = CheckEngine.Options()
        options.limits = LuaSandbox.Limits(memoryBytes: 64 << 20, timeoutSeconds: 10)
        return try LoadedRule.load(source: source, id: AuditSampling.ruleId, pack: pack, options: options).definition
    }

    /// The fix policy (`fix/policy.lua`), whose params are tuned like a check's.
    public static func fixDefinition(pack: RulePack) throws(EngineError) -> RuleDefinition? {
        guard let source = pack.fixPolicy else { return nil }
        var options = CheckEngine.Options()
        options.limits = LuaSandbox.Limits(memoryBytes: 64 << 20, timeoutSeconds: 10)
        return try LoadedRule.load(source: source, id: FixPolicy.ruleId, pack: pack, options: options).definition
    }

    public static func describe(pack: RulePack) throws(EngineError) -> String {
        var lines: [String] = []
        let audit = try auditDefinition(pack: pack)
        let fix = try fixDefinition(pack: pack)
        for d in try definitions(pack: pack) + (audit.map { [$0] } ?? []) + (fix.map { [$0] } ?? []) {
            var role = d.id == audit?.id && d.source.path == audit?.source.path ? "  (qcpass sample, not a check)" : ""
            if d.id == fix?.id && d.source.path == fix?.source.path { role = "  (qcpass fix, not a check)" }
            lines.append("\(d.id) — \(d.title)  [\(d.source.displayName)]\(role)")
            lines.append("    \(d.description)")
            for (name, value) in d.params {
                lines.append("    \(name) = \(literal(value))")
            }
            lines.append("")
        }
        return lines.joined(separator: "\n")
    }

    /// A Lua literal for a param default, as `qcpass init` writes it.
    public static func literal(_ v: LuaValue) -> String {
        switch v {
        case .nil: return "nil"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .number(let d):
            return d == d.rounded() && abs(d) < 1e15 ? String(format: "%.1f", d) : "\(d)"
        case .string(let s):
            return "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        case .table(let t):
            let items = t.array.map(literal) + t.fields.map { k, v -> String in
                switch k {
                case .string(let s): return "\(s) = \(literal(v))"
                case .int(let i): return "[\(i)] = \(literal(v))"
                }
            }
            return "{ " + items.joined(separator: ", ") + " }"
        case .function: return "function"
        case .encoded: return "{…}"
        }
    }
}
