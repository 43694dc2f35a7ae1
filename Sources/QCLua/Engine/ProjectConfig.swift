import Foundation
import QCCore

/// A project's `qcpass.lua` (DESIGN.md "Project config"), validated: unknown keys and
/// wrong types are errors naming the file and the field.
public struct ProjectConfig {
    public struct Exception: Sendable {
        public var check: String
        public var reason: String
        public var kinds: [String]?
        public var classes: [String]?
        /// "YYYY-MM-DD"; the exception stops applying after that day.
        public var expires: String?
    }

    public var path: String?
    public var sha256: String?
    /// check id → param name → value, as written (validated against the pack later).
    public var params: [String: [(name: String, value: LuaValue)]] = [:]
    public var severity: [String: [String: Finding.Severity]] = [:]
    public var disabled: Set<String> = []
    public var exceptions: [Exception] = []
    /// Absolute paths of extra rule files.
    public var ruleFiles: [String] = []
    /// The sandbox that holds `group_key`, kept alive for the per-image calls.
    public var groupKey: (sandbox: LuaSandbox, function: LuaFunctionRef)?

    public init() {}

    static let knownKeys = ["params", "severity", "disabled", "exceptions", "group_key", "rules"]

    /// Finds the config: `--config`, else `qcpass.lua` next to the dataset, else in the current folder.
    public static func locate(explicit: String?, datasetDirectory: String) -> String? {
        if let explicit { return explicit }
        for dir in [datasetDirectory, FileManager.default.currentDirectoryPath] {
            let p = "\(dir)/qcpass.lua"
            if FileManager.default.fileExists(atPath: p) { return p }
        }
        return nil
    }

    public static func load(path: String, limits: LuaSandbox.Limits) throws(EngineError) -> ProjectConfig {
        let source = try RuleSource.read(path: path, displayName: path)
        var config = ProjectConfig()
        config.path = path
        config.sha256 = SHA256Text.hex(source.text)
        let sandbox: LuaSandbox
        let returned: [LuaValue]
        do {
            sandbox = try LuaSandbox(limits: limits)
            returned = try sandbox.run(source: source.text, chunkName: path)
        } catch {
            throw EngineError.config(place: path, message: "does not load: \(error)")
        }
        guard case .table(let top)? = returned.first else {
            throw EngineError.config(place: path, message: "must return a table (got \(returned.first?.typeName ?? "nothing"))")
        }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        for (key, value) in top.fields {
            guard case .string(let name) = key else {
                throw EngineError.config(place: path, message: "unexpected non-string key \(key) at top level")
            }
            let field = "\(path): \(name)"
            switch name {
            case "params":
                for (check, entries) in try namedTables(value, field: field) {
                    config.params[check] = try entries.fields.map { (k, v) throws(EngineError) in
                        guard case .string(let p) = k else {
                            throw EngineError.config(place: path, message: "params.\(check): keys must be param names")
                        }
                        return (p, v)
                    }
                }
            case "severity":
                for (check, kinds) in try namedTables(value, field: field) {
                    for (k, v) in kinds.fields {
                        guard case .string(let kind) = k, case .string(let s) = v,
                              let sev = Finding.Severity(rawValue: s) else {
                            throw EngineError.config(place: path, message:
                                "severity.\(check): each entry must be kind = \"info\"|\"warning\"|\"error\"")
                        }
                        config.severity[check, default: [:]][kind] = sev
                    }
                }
            case "disabled":
                config.disabled = Set(try stringList(value, field: "disabled", path: path))
            case "exceptions":
                for (check, spec) in try namedTables(value, field: field) {
                    let list = spec.array.isEmpty ? [LuaValue.table(spec)] : spec.array
                    for item in list {
                        config.exceptions.append(try exception(item, check: check, path: path))
                    }
                }
            case "group_key":
                guard case .function(let ref) = value else {
                    throw EngineError.config(place: path, message: "group_key must be a function(img) returning a string (got \(value.typeName))")
                }
                config.groupKey = (sandbox, ref)
            case "rules":
                config.ruleFiles = try stringList(value, field: "rules", path: path).map { rel in
                    rel.hasPrefix("/") ? rel : "\(folder)/\(rel)"
                }
            default:
                throw EngineError.config(place: path, message:
                    "unknown key '\(name)' (known: \(knownKeys.joined(separator: ", ")))")
            }
        }
        return config
    }

    private static func namedTables(_ value: LuaValue, field: String) throws(EngineError) -> [(String, LuaTable)] {
        guard case .table(let t) = value, t.array.isEmpty else {
            throw EngineError.config(place: field, message: "must be a table keyed by check id (got \(value.typeName))")
        }
        var out: [(String, LuaTable)] = []
        for (k, v) in t.fields {
            guard case .string(let name) = k, case .table(let inner) = v else {
                throw EngineError.config(place: field, message: "entry \(k) must be check_id = { … }")
            }
            out.append((name, inner))
        }
        return out
    }

    private static func stringList(_ value: LuaValue, field: String, path: String) throws(EngineError) -> [String] {
        guard case .table(let t) = value, t.fields.isEmpty else {
            throw EngineError.config(place: path, message: "\(field) must be a list of strings (got \(value.typeName))")
        }
        return try t.array.map { (v: LuaValue) throws(EngineError) -> String in
            guard case .string(let s) = v else {
                throw EngineError.config(place: path, message: "\(field) must hold only strings (got \(v.typeName))")
            }
            return s
        }
    }

    private static func exception(_ value: LuaValue, check: String, path: String) throws(EngineError) -> Exception {
        let place = "exceptions.\(check)"
        guard case .table(let t) = value else {
            throw EngineError.config(place: path, message: "\(place) must be a table with a reason")
        }
        var e = Exception(check: check, reason: "")
        for (k, v) in t.fields {
            guard case .string(let name) = k else { continue }
            switch name {
            case "reason":
                guard case .string(let s) = v, !s.isEmpty else {
                    throw EngineError.config(place: path, message: "\(place).reason must be a non-empty string")
                }
                e.reason = s
            case "kinds": e.kinds = try stringList(v, field: "\(place).kinds", path: path)
            case "classes": e.classes = try stringList(v, field: "\(place).classes", path: path)
            case "expires":
                guard case .string(let s) = v, isISODate(s) else {
                    throw EngineError.config(place: path, message: "\(place).expires must be a date \"YYYY-MM-DD\"")
                }
                e.expires = s
            default:
                throw EngineError.config(place: path, message:
                    "\(place): unknown key '\(name)' (known: reason, kinds, classes, expires)")
            }
        }
        guard !e.reason.isEmpty else {
            throw EngineError.config(place: path, message: "\(place) needs a reason: an exception must say why")
        }
        return e
    }

    static func isISODate(_ s: String) -> Bool {
        let parts = s.split(separator: "-")
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let m = Int(parts[1]), let d = Int(parts[2]), Int(parts[0]) != nil else { return false }
        return (1...12).contains(m) && (1...31).contains(d)
    }
}
