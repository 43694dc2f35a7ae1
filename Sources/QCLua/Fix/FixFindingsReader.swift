import Foundation
import QCCore

/// `qcpass fix --from findings.json`: the saved findings, with the fields the fix policy
/// reads (id, check, kind, image, ref, box, related, suggestion), instead of a new run.
public enum FixFindingsReader {
    public static func read(_ path: String) throws(EngineError) -> [Finding] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw EngineError.config(place: path, message: "cannot read the findings file")
        }
        guard let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw EngineError.config(place: path, message: "not a JSON object (expected a qcpass findings.json)")
        }
        guard let schema = root["schema"] as? String, schema.hasPrefix("qcpass.findings/") else {
            throw EngineError.config(place: path, message: "no \"schema\": \"qcpass.findings/1\" (not a qcpass findings.json)")
        }
        guard let list = root["findings"] as? [[String: Any]] else {
            throw EngineError.config(place: path, message: "\"findings\" is missing or not a list")
        }
        var out: [Finding] = []
        for (i, item) in list.enumerated() {
            guard let check = item["check"] as? String, let kind = item["kind"] as? String else {
                throw EngineError.config(place: "\(path)#findings[\(i)]", message: "a finding needs \"check\" and \"kind\"")
            }
            var f = Finding(check: check, kind: kind,
                            severity: Finding.Severity(rawValue: item["severity"] as? String ?? "") ?? .warning,
                            image: item["image"] as? String, split: item["split"] as? String,
                            ref: item["ref"] as? String, message: item["message"] as? String ?? "")
            f.id = item["id"] as? String ?? ""
            if let b = item["box"] as? [String: Any], let xyxy = b["xyxy"] as? [NSNumber], xyxy.count == 4 {
                f.box = Finding.Box(className: b["class"] as? String ?? "", classId: (b["class_id"] as? NSNumber)?.intValue ?? -1,
                                    xyxy: xyxy.map(\.doubleValue), ref: b["ref"] as? String)
            }
            f.related = item["related"] as? [String] ?? []
            f.relatedCount = (item["related_count"] as? NSNumber)?.intValue ?? f.related.count
            f.score = (item["score"] as? NSNumber)?.doubleValue
            if let s = item["suggestion"] { f.suggestion = json(s) }
            out.append(f)
        }
        return out
    }

    static func json(_ any: Any) -> JSONValue {
        switch any {
        case let s as String: return .string(s)
        case let n as NSNumber:
            let d = n.doubleValue
            return d == d.rounded() && abs(d) < 1e15 && !"\(n)".contains(".") ? .int(n.int64Value) : .number(d)
        case let a as [Any]: return .array(a.map(json))
        case let o as [String: Any]: return .object(o.keys.sorted().map { ($0, json(o[$0]!)) })
        default: return .null
        }
    }
}
