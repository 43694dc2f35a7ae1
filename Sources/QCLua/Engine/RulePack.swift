import Foundation
import QCCore

/// The checks and templates a run uses: the default pack, overlaid by `--rules DIR`
/// (same id replaces, new id adds) and by the project's `rules = {…}` files.
public struct RulePack: Sendable {
    /// DESIGN.md's check order; project rules come after, by id.
    public static let checkOrder = ["input", "missing_labels", "wrong_classes", "box_fit", "duplicates",
                                    "class_balance", "split_leakage", "background"]

    public var rules: [RuleSource]
    /// `lib/` folders searched by `require`, overlay first.
    public var libDirectories: [String]
    /// The report template (report.md) of the most specific pack that has one.
    public var reportTemplate: RuleSource?
    /// `audit/sample.lua` of the most specific pack that has one: the audit's bucket
    /// sizes and edge cases (`qcpass sample`). Not a check: `check` never runs it.
    public var auditRule: RuleSource?
    /// `fix/policy.lua` of the most specific pack that has one: which fixes `qcpass fix`
    /// applies, with their params (`params.fix` in qcpass.lua). Not a check either.
    public var fixPolicy: RuleSource?
    /// sha256 over every file's display name and text, for the findings' provenance.
    public var sha256: String

    /// Loads `<dir>/*.lua` as check rules, `<dir>/lib/` as shared modules and
    /// `<dir>/templates/report_md.lua` as the template, for each dir in order (later wins).
    public static func load(directories: [String], extraRuleFiles: [String] = []) throws(EngineError) -> RulePack {
        var byId: [String: RuleSource] = [:]
        var order: [String] = []
        var libs: [String] = []
        var template: RuleSource?
        var audit: RuleSource?
        var fix: RuleSource?
        for dir in directories {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
                throw EngineError.config(place: dir, message: "rule pack folder not found")
            }
            let packName = URL(fileURLWithPath: dir).lastPathComponent
            let files = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [])
                .filter { $0.hasSuffix(".lua") }.sorted()
            for file in files {
                let source = try RuleSource.read(path: "\(dir)/\(file)", displayName: "\(packName)/\(file)")
                let id = String(file.dropLast(4))
                if byId[id] == nil { order.append(id) }
                byId[id] = source
            }
            let lib = "\(dir)/lib"
            if FileManager.default.fileExists(atPath: lib) { libs.insert(lib, at: 0) }
            let tpl = "\(dir)/templates/report_md.lua"
            if FileManager.default.fileExists(atPath: tpl) {
                template = try RuleSource.read(path: tpl, displayName: "\(packName)/templates/report_md.lua")
            }
            let sampler = "\(dir)/audit/\(AuditSampling.ruleId).lua"
            if FileManager.default.fileExists(atPath: sampler) {
                audit = try RuleSource.read(path: sampler, displayName: "\(packName)/audit/\(AuditSampling.ruleId).lua")
            }
            let policy = "\(dir)/\(FixPolicy.relativePath)"
            if FileManager.default.fileExists(atPath: policy) {
                fix = try RuleSource.read(path: policy, displayName: "\(packName)/\(FixPolicy.relativePath)")
            }
        }
        for path in extraRuleFiles {
            let name = URL(fileURLWithPath: path).lastPathComponent
            let source = try RuleSource.read(path: path, displayName: name)
            let id = String(name.dropLast(name.hasSuffix(".lua") ? 4 : 0))
            if byId[id] == nil { order.append(id) }
            byId[id] = source
        }
        let ordered = order.sorted { a, b in
            let ra = checkOrder.firstIndex(of: a) ?? Int.max, rb = checkOrder.firstIndex(of: b) ?? Int.max
            return ra != rb ? ra < rb : a < b
        }
        var all = ordered.compactMap { byId[$0] }
        if let template { all.append(template) }
        if let audit { all.append(audit) }
        if let fix { all.append(fix) }
        let digest = SHA256Text.hex(all.map { "\($0.displayName)\u{0}\($0.text)" }.joined(separator: "\u{0}"))
        return RulePack(rules: ordered.compactMap { byId[$0] }, libDirectories: libs,
                        reportTemplate: template, auditRule: audit, fixPolicy: fix, sha256: digest)
    }

    /// Ids a project config may name in `params`: the checks and the audit rule.
    public var configurableIds: [String] {
        rules.map { URL(fileURLWithPath: $0.path).deletingPathExtension().lastPathComponent }
            + (auditRule == nil ? [] : [AuditSampling.ruleId]) + (fixPolicy == nil ? [] : [FixPolicy.ruleId])
    }

    /// The default pack: `$QCPASS_RULES`, else the nearest `rules/` folder holding
    /// `background.lua` above the executable (a source checkout's build folder), else
    /// `<prefix>/share/qcpass/rules` for an installed binary.
    public static func defaultDirectory() -> String? {
        let fm = FileManager.default
        if let env = ProcessInfo.processInfo.environment["QCPASS_RULES"], !env.isEmpty { return env }
        let exe = URL(fileURLWithPath: (try? fm.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
                      ?? CommandLine.arguments[0]).resolvingSymlinksInPath()
        var dir = exe.deletingLastPathComponent()
        for _ in 0..<8 {
            let candidate = dir.appendingPathComponent("rules")
            if fm.fileExists(atPath: candidate.appendingPathComponent("background.lua").path) { return candidate.path }
            let share = dir.appendingPathComponent("share/qcpass/rules")
            if fm.fileExists(atPath: share.appendingPathComponent("background.lua").path) { return share.path }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }
}
