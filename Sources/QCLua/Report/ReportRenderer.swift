import QCCore

/// Renders report.md with the pack's Lua template, so a project changes its report by
/// editing a file, not by rebuilding qcpass.
public enum ReportRenderer {
    public static func renderMarkdown(_ doc: FindingsDocument, template: RuleSource, date: String,
                                      reviewer: String?, limits: LuaSandbox.Limits) throws(EngineError) -> String {
        do {
            let sandbox = try LuaSandbox(limits: limits)
            guard case .function(let render)? = try sandbox.run(source: template.text, chunkName: template.displayName).first else {
                throw EngineError.rule(place: template.displayName, message: "the report template must return a function(r)")
            }
            let out = try sandbox.call(render, [value(doc, date: date, reviewer: reviewer)])
            guard case .string(let text)? = out.first else {
                throw EngineError.rule(place: template.displayName, message: "the report template must return a string (got \(out.first?.typeName ?? "nothing"))")
            }
            return text
        } catch let e as EngineError {
            throw e
        } catch let e as LuaError {
            throw EngineError.rule(place: e.location.map { "\($0.file):\($0.line)" } ?? template.displayName, message: "\(e)")
        } catch {
            throw EngineError.rule(place: template.displayName, message: "\(error)")
        }
    }

    static func value(_ doc: FindingsDocument, date: String, reviewer: String?) -> LuaValue {
        // Findings per check and kind in one pass, fields read in place (tens of thousands
        // of findings: copying each per check was most of the template's cost).
        var kindsOfCheck: [String: [String: Int]] = [:]
        for i in doc.findings.indices { kindsOfCheck[doc.findings[i].check, default: [:]][doc.findings[i].kind, default: 0] += 1 }
        let checks: [LuaValue] = doc.checks.map { c in
            var f: [(String, LuaValue)] = [("id", .str(c.id)), ("title", .str(c.title)),
                                           ("status", .str(c.status.rawValue)), ("message", .str(c.message))]
            if let e = c.exception { f.append(("exception", .str(e))) }
            // Findings per kind, and the rule's metrics, for the report's summary lines.
            let kinds = kindsOfCheck[c.id] ?? [:]
            f.append(("findings", .integer(kinds.values.reduce(0, +))))
            f.append(("kinds", .record(kinds.keys.sorted().map { ($0, .integer(kinds[$0]!)) })))
            f.append(("metrics", luaValue(c.metrics)))
            return .record(f)
        }
        var tool: [(String, LuaValue)] = [("version", .str(doc.tool.version)), ("rules_sha256", .str(doc.tool.rulesSHA256))]
        if let c = doc.tool.configSHA256 { tool.append(("config_sha256", .str(c))) }
        if let p = doc.tool.predictionsSHA256 { tool.append(("predictions_sha256", .str(p))) }
        var fields: [(String, LuaValue)] = [
            ("dataset", .record([("name", .str(doc.datasetName)), ("root", .str(doc.datasetRoot)),
                                 ("format", .str(doc.datasetFormat)), ("fingerprint", .str(doc.fingerprint))])),
            ("date", .str(date)),
            ("summary", .record([
                ("images", .integer(doc.images)), ("labels", .integer(doc.labels)),
                ("background_images", .integer(doc.backgroundImages)),
                ("per_class", .list(doc.perClass.map { c in
                    .record([("name", .str(c.name)), ("instances", .integer(c.instances)), ("images", .integer(c.images))])
                })),
            ])),
            ("checks", .list(checks)),
            ("ready", .bool(doc.ready)),
            ("tool", .record(tool)),
            ("top_images", .list(TopImages.rank(doc.findings, limit: 10).map { t in
                .record([("image", .str(t.image)), ("score", .num(t.score)), ("findings", .integer(t.count))])
            })),
        ]
        if let reviewer { fields.append(("reviewer", .str(reviewer))) }
        if let audit = doc.audit { fields.append(("audit", value(audit))) }
        // A dataset written by `qcpass fix` says what was changed to get here.
        if let changes = ChangeLog.readSummary(datasetRoot: doc.datasetRoot) { fields.append(("changes", value(changes))) }
        return .record(fields)
    }

    /// `r.changes` (only for a dataset `qcpass fix` wrote): the summary of its changes.json.
    static func value(_ c: ChangeLog.Summary) -> LuaValue {
        .record([("images_dropped", .integer(c.imagesDropped)), ("duplicates_removed", .integer(c.duplicatesRemoved)),
                 ("labels_dropped", .integer(c.labelsDropped)), ("boxes_clipped", .integer(c.boxesClipped)),
                 ("classes_changed", .integer(c.classesChanged)), ("label_files_dropped", .integer(c.labelFilesDropped))])
    }

    /// `r.audit` (only with `check --audit`): counts of the reviewed sample and, per
    /// check, how many of its flagged, reviewed images the reviewer confirmed.
    static func value(_ a: AuditSummary) -> LuaValue {
        .record([
            ("sheet", .str(a.sheet)), ("sampled", .integer(a.sampled)), ("reviewed", .integer(a.reviewed)),
            ("verdicts", .record(a.verdicts.map { ($0.verdict, LuaValue.integer($0.images)) })),
            ("box_corrections", .integer(a.boxCorrections)),
            ("checks", .list(a.perCheck.map { c in
                var f: [(String, LuaValue)] = [("check", .str(c.check)), ("flagged_reviewed", .integer(c.flaggedReviewed)),
                                               ("confirmed", .integer(c.confirmed))]
                if let p = c.precision { f.append(("precision", .num(p))) }
                return .record(f)
            })),
        ])
    }

    /// JSON metrics as the Lua value the template reads (objects keep their keys).
    static func luaValue(_ json: JSONValue) -> LuaValue {
        switch json {
        case .null: return .nil
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .number(let d): return .number(d)
        case .string(let s): return .string(s)
        case .array(let items): return .list(items.map(luaValue))
        case .object(let pairs): return .record(pairs.map { ($0.0, luaValue($0.1)) })
        }
    }
}

/// Images ranked by their highest finding score (ties: more findings first), for the
/// terminal summary and the report.
public enum TopImages {
    public struct Entry: Sendable { public var image: String; public var score: Double; public var count: Int; public var kinds: [String] }

    public static func rank(_ findings: [Finding], limit: Int) -> [Entry] {
        // Fields are read in place and entries updated in an array: binding each finding
        // or re-inserting entries copied every string they hold.
        var slotOfImage: [String: Int] = [:]
        var entries: [Entry] = []
        for i in findings.indices where findings[i].exception == nil {
            guard let image = findings[i].image else { continue }
            let score = findings[i].score ?? (findings[i].severity == .error ? 0.5 : 0.25)
            if let k = slotOfImage[image] {
                entries[k].score = max(entries[k].score, score)
                entries[k].count += 1
                if !entries[k].kinds.contains(findings[i].kind) { entries[k].kinds.append(findings[i].kind) }
            } else {
                slotOfImage[image] = entries.count
                entries.append(Entry(image: image, score: max(0, score), count: 1, kinds: [findings[i].kind]))
            }
        }
        return entries.sorted {
            $0.score != $1.score ? $0.score > $1.score : ($0.count != $1.count ? $0.count > $1.count : $0.image < $1.image)
        }.prefix(limit).map { $0 }
    }
}
