import Foundation

/// Rewrites one YOLO label file line by line: lines the plan names are dropped, clipped
/// or given another class, every class id goes through the remap, and every other byte
/// (BOM, line endings, number formatting) stays as it was, so a diff of the two files
/// shows exactly the changes listed in changes.json.
enum YOLOLabelRewrite {
    struct LineChange {
        var line: Int
        var before: String
        var after: String?
        var fix: PlannedFix
    }

    /// Lines as the loader numbers them: each ends at \n, \r\n or \r (terminator kept).
    static func lines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var out: [ArraySlice<UInt8>] = []
        var start = 0, i = 0
        while i < bytes.count {
            if bytes[i] == 0x0A || bytes[i] == 0x0D {
                let crlf = bytes[i] == 0x0D && i + 1 < bytes.count && bytes[i + 1] == 0x0A
                i += crlf ? 2 : 1
                out.append(bytes[start..<i])
                start = i
            } else { i += 1 }
        }
        if start < bytes.count { out.append(bytes[start..<bytes.count]) }
        return out
    }

    static func rewrite(_ bytes: [UInt8], edits: [String: (edit: FixPlan.Edit, fix: PlannedFix)], remap: [Int: Int],
                        remapFix: PlannedFix?, pose: Bool) -> (bytes: [UInt8], changes: [LineChange]) {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var changes: [LineChange] = []
        for (index, raw) in lines(bytes).enumerated() {
            let number = index + 1
            var end = raw.endIndex
            while end > raw.startIndex, bytes[end - 1] == 0x0A || bytes[end - 1] == 0x0D { end -= 1 }
            var body = raw[raw.startIndex..<end]
            let ending = raw[end..<raw.endIndex]
            var bom: ArraySlice<UInt8> = []
            if number == 1, body.starts(with: [0xEF, 0xBB, 0xBF]) { bom = body.prefix(3); body = body.dropFirst(3) }
            let text = String(decoding: body, as: UTF8.self)
            var tokens = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\u{0B}" || $0 == "\u{0C}" }).map(String.init)
            var result: String? = text
            var cause: PlannedFix?
            if let (edit, fix) = edits[String(number)] {
                cause = fix
                switch edit {
                case .drop: result = nil
                case .clip: result = clip(tokens, pose: pose)
                case .setClass(let id):
                    if !tokens.isEmpty { tokens[0] = String(id); result = tokens.joined(separator: " ") }
                }
            }
            let editedClass: Bool
            if case .setClass? = edits[String(number)]?.edit { editedClass = true } else { editedClass = false }
            if result != nil, !remap.isEmpty, !editedClass {
                var t = result == text ? tokens : result!.split(separator: " ").map(String.init)
                if let first = t.first, let id = Int(first), let to = remap[id], to != id {
                    t[0] = String(to)
                    result = t.joined(separator: " ")
                    cause = cause ?? remapFix
                }
            }
            if result == text {
                out.append(contentsOf: bom); out.append(contentsOf: body); out.append(contentsOf: ending)
                continue
            }
            if let r = result {
                out.append(contentsOf: bom); out.append(contentsOf: Array(r.utf8)); out.append(contentsOf: ending)
            } else if !bom.isEmpty {
                out.append(contentsOf: bom)
            }
            if let fix = cause { changes.append(LineChange(line: number, before: text, after: result, fix: fix)) }
        }
        return (out, changes)
    }

    /// The line with its box inside the image (normalised 0–1), or nil when nothing of it
    /// is left inside. A plain or pose row clips its box; a polygon or OBB row its points.
    static func clip(_ tokens: [String], pose: Bool) -> String? {
        let values = tokens.dropFirst().compactMap { Double($0) }
        guard tokens.count >= 5, values.count == tokens.count - 1 else { return nil }
        var out = [tokens[0]]
        if tokens.count == 5 || pose {
            let (cx, cy, w, h) = (values[0], values[1], values[2], values[3])
            let x1 = max(0, cx - w / 2), x2 = min(1, cx + w / 2)
            let y1 = max(0, cy - h / 2), y2 = min(1, cy + h / 2)
            guard x2 > x1, y2 > y1 else { return nil }
            out += [(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1].map(number)
            out += tokens.dropFirst(5)
        } else {
            out += values.map { number(min(1, max(0, $0))) }
        }
        return out.joined(separator: " ")
    }

    /// Six decimals (1/1,000,000 of the side), trailing zeros dropped.
    static func number(_ d: Double) -> String {
        var s = String(format: "%.6f", d)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }
}
