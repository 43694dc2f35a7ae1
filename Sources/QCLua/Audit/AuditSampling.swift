import Foundation
import QCCore

/// Runs the pack's audit rule (`audit/sample.lua`) after the checks: its params are the
/// bucket sizes (overridable in qcpass.lua as `params.sample`, and by `qcpass sample`
/// options), its `run` emits the edge-case candidates best first.
public enum AuditSampling {
    public static let ruleId = "sample"

    public struct Plan {
        public var quotas: StratifiedSampler.Quotas
        public var edgeCases: [StratifiedSampler.EdgeCase]
    }

    /// `overrides`: params set on the command line, applied over the config's.
    public static func plan(_ run: CheckPipeline.Result, overrides: [(name: String, value: LuaValue)],
                            options: CheckEngine.Options) throws(EngineError) -> Plan {
        guard let source = run.pack.auditRule else {
            throw EngineError.config(place: "rules", message: "the rule pack has no audit/\(ruleId).lua to choose the audit sample")
        }
        let rule = try LoadedRule.load(source: source, id: ruleId, pack: run.pack, options: options)
        var params = try ParamResolver.resolve(rules: [rule], config: run.config,
                                               knownIds: run.pack.configurableIds)[ruleId] ?? []
        for (name, value) in overrides {
            guard let i = params.firstIndex(where: { $0.name == name }) else {
                throw EngineError.config(place: source.displayName, message: "the audit rule has no param '\(name)'")
            }
            params[i].value = value
        }
        var quotas = StratifiedSampler.Quotas()
        let place = run.config.path ?? source.displayName
        func quota(_ name: String) throws(EngineError) -> Int {
            guard let v = params.first(where: { $0.name == name })?.value else {
                throw EngineError.rule(place: source.displayName, message: "params.\(name) is missing: the audit rule must declare every bucket size")
            }
            guard let n = v.asInt, n >= 0 else {
                throw EngineError.config(place: place, message: "params.\(ruleId).\(name) must be a whole number ≥ 0 (got \(v))")
            }
            return Int(n)
        }
        quotas.perClass = try quota("per_class")
        quotas.background = try quota("background")
        quotas.edgeCases = try quota("edge_cases")
        quotas.lowConfidence = try quota("low_confidence")
        quotas.flagged = try quota("flagged")
        quotas.random = try quota("random")

        let data = RunData(dataset: run.dataset, groupKeys: run.outcome.groupKeys, today: options.today)
        let context = RuleContext(data: data, checkId: ruleId, severityOverrides: [:], disabledKinds: [], cap: options.findingCap)
        let result = rule.execute(context: context, params: params)
        if result.status == .error {
            throw EngineError.rule(place: result.errorPlace ?? source.displayName, message: result.message)
        }
        var edgeCases: [StratifiedSampler.EdgeCase] = []
        for f in context.findings {
            guard let path = f.image, let i = data.imageIndexByPath[path] else { continue }
            edgeCases.append(.init(image: i, reason: f.message))
        }
        return Plan(quotas: quotas, edgeCases: edgeCases)
    }
}
