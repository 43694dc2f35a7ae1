import Foundation

/// The subset of JSON Schema that docs/findings.schema.json uses (type, const, enum,
/// required, properties, additionalProperties, items, pattern, minimum/maximum,
/// minLength, minItems/maxItems). Every findings.json a test produces is checked
/// against the schema file itself, so the schema and the writer cannot drift.
struct SchemaValidator {
    let schema: [String: Any]

    init(path: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        schema = try TestJSON.parse(data) as! [String: Any]
    }

    func validate(_ value: Any) -> [String] {
        var errors: [String] = []
        check(value, schema, "$", &errors)
        return errors
    }

    private func typeName(_ v: Any) -> String {
        switch v {
        case is NSNull: return "null"
        case is Bool: return "boolean"
        case is Int: return "integer"
        case is Double: return "number"
        case is String: return "string"
        case is [Any]: return "array"
        case is [String: Any]: return "object"
        default: return "unknown"
        }
    }

    private func same(_ a: Any, _ b: Any) -> Bool {
        switch (a, b) {
        case let (x as String, y as String): return x == y
        case let (x as Bool, y as Bool): return x == y
        case let (x as Int, y as Int): return x == y
        case let (x as Double, y as Double): return x == y
        case (is NSNull, is NSNull): return true
        default: return false
        }
    }

    private func matchesType(_ v: Any, _ t: String) -> Bool {
        let actual = typeName(v)
        return actual == t || (t == "number" && actual == "integer")
    }

    private func check(_ v: Any, _ s: [String: Any], _ path: String, _ errors: inout [String]) {
        if let t = s["type"] {
            let types = (t as? [String]) ?? [t as! String]
            if !types.contains(where: { matchesType(v, $0) }) {
                errors.append("\(path): expected \(types), got \(typeName(v))"); return
            }
        }
        if let c = s["const"], !same(c, v) { errors.append("\(path): expected const \(c), got \(v)") }
        if let e = s["enum"] as? [Any], !e.contains(where: { same($0, v) }) {
            errors.append("\(path): \(v) not in \(e)")
        }
        if let str = v as? String {
            if let min = s["minLength"] as? Int, str.count < min { errors.append("\(path): shorter than \(min)") }
            if let p = s["pattern"] as? String, str.range(of: p, options: .regularExpression) == nil {
                errors.append("\(path): \"\(str)\" does not match \(p)")
            }
        }
        if let n = (v as? Double) ?? (v as? Int).map(Double.init) {
            let minimum = (s["minimum"] as? Double) ?? (s["minimum"] as? Int).map(Double.init)
            let maximum = (s["maximum"] as? Double) ?? (s["maximum"] as? Int).map(Double.init)
            if let minimum, n < minimum { errors.append("\(path): \(n) < \(minimum)") }
            if let maximum, n > maximum { errors.append("\(path): \(n) > \(maximum)") }
        }
        if let obj = v as? [String: Any] {
            for r in (s["required"] as? [String]) ?? [] where obj[r] == nil { errors.append("\(path): missing \(r)") }
            let props = (s["properties"] as? [String: Any]) ?? [:]
            for (k, item) in obj {
                if let ps = props[k] as? [String: Any] { check(item, ps, "\(path).\(k)", &errors) }
                else if let ap = s["additionalProperties"] as? [String: Any] { check(item, ap, "\(path).\(k)", &errors) }
            }
        }
        if let arr = v as? [Any] {
            if let min = s["minItems"] as? Int, arr.count < min { errors.append("\(path): fewer than \(min) items") }
            if let max = s["maxItems"] as? Int, arr.count > max { errors.append("\(path): more than \(max) items") }
            if let items = s["items"] as? [String: Any] {
                for (i, item) in arr.enumerated() { check(item, items, "\(path)[\(i)]", &errors) }
            }
        }
    }
}
