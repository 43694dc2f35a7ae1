/// report.html above its gallery: the same facts as report.md (dataset, totals, checks,
/// visual audit, readiness, provenance) plus each check's evidence and the class and
/// per-split charts. The flagged images follow as a gallery grouped by check.
public enum ReportPage {
    public static func header(_ doc: FindingsDocument, dataset ds: Dataset, date: String, reviewer: String?,
                              histogram: ClassHistogram.Report) -> String {
        var h = "<section class=\"report-section\">\n"
        let share = doc.images > 0 ? Double(doc.backgroundImages) / Double(doc.images) * 100 : 0
        h += "<p><b>Dataset:</b> \(HTMLText.escape(doc.datasetName)) (\(HTMLText.escape(doc.datasetFormat)), <code>\(HTMLText.escape(doc.datasetRoot))</code>)<br>"
        h += "<b>Audit date:</b> \(HTMLText.escape(date))<br>"
        h += "<b>Total images:</b> \(doc.images) · <b>Total labels:</b> \(doc.labels) · "
        h += "<b>Background images:</b> \(doc.backgroundImages) (\(oneDecimal(share))%)<br>"
        h += "<b>Visual audit:</b> \(HTMLText.escape(auditLine(doc.audit)))<br>"
        h += "<b>Ready to train:</b> \(doc.ready ? "yes" : "no")</p>\n"
        if let audit = doc.audit, !audit.perCheck.isEmpty {
            h += "<p><b>Check precision from the audit</b> (flagged images the reviewer confirmed): "
            h += audit.perCheck.map { c in
                "\(HTMLText.escape(c.check)) \(c.confirmed)/\(c.flaggedReviewed)" + (c.precision.map { " (\(oneDecimal($0 * 100))%)" } ?? "")
            }.joined(separator: " · ")
            h += "</p>\n"
        }
        h += "</section>\n"
        h += checksTable(doc)
        h += charts(ds, histogram)
        h += "<section class=\"report-section\"><p class=\"verdict-line\">Provenance: qcpass \(HTMLText.escape(doc.tool.version)) · rules "
        h += "\(doc.tool.rulesSHA256.prefix(12)) · config \(doc.tool.configSHA256.map { String($0.prefix(12)) } ?? "none") · dataset "
        h += "\(doc.fingerprint.prefix(12))\(reviewer.map { " · reviewer \(HTMLText.escape($0))" } ?? "")</p>"
        h += "<h2>Flagged images</h2><p>The images the checks flag most strongly, grouped by the check of their strongest finding.</p></section>\n"
        return h
    }

    /// "120 images sampled, 4 mislabeled (3.3%)", or how to do the audit.
    public static func auditLine(_ audit: AuditSummary?) -> String {
        guard let a = audit else { return "not recorded (qcpass sample, review gallery.html, then check --audit audit.csv)" }
        let mislabeled = a.images(with: "mislabeled")
        var line = "\(a.sampled) images sampled, \(mislabeled) mislabeled (\(oneDecimal(a.sampled > 0 ? Double(mislabeled) / Double(a.sampled) * 100 : 0))%)"
        let others = a.verdicts.filter { $0.verdict != "ok" && $0.verdict != "mislabeled" && $0.images > 0 }
        if !others.isEmpty { line += ", " + others.map { "\($0.images) \($0.verdict.replacingOccurrences(of: "_", with: " "))" }.joined(separator: ", ") }
        if a.reviewed < a.sampled { line += "; \(a.sampled - a.reviewed) not reviewed yet" }
        return line
    }

    static func checksTable(_ doc: FindingsDocument) -> String {
        var byCheck: [String: [Finding]] = [:]
        for f in doc.findings { byCheck[f.check, default: []].append(f) }
        var h = "<section class=\"report-section\"><h2>Checks</h2><table class=\"checks\"><thead><tr><th>Check</th><th>Status</th>"
        h += "<th>Result and evidence</th></tr></thead><tbody>\n"
        for c in doc.checks {
            let findings = byCheck[c.id] ?? []
            h += "<tr data-check=\"\(HTMLText.escape(c.id))\"><td>\(HTMLText.escape(c.title))<br><code>\(HTMLText.escape(c.id))</code></td>"
            h += "<td><span class=\"status \(c.status.rawValue)\">\(c.status.rawValue)</span></td><td>\(HTMLText.escape(c.message))"
            if let e = c.exception { h += "<br><i>Exception: \(HTMLText.escape(e))</i>" }
            if !findings.isEmpty {
                h += "<ul>"
                for f in findings.prefix(3) {
                    let place = f.box?.ref ?? f.ref ?? f.image ?? ""
                    h += "<li>\(place.isEmpty ? "" : "<code>\(HTMLText.escape(place))</code> ")\(HTMLText.escape(f.kind)): \(HTMLText.escape(f.message))</li>"
                }
                if findings.count > 3 { h += "<li>… \(findings.count - 3) more finding\(findings.count == 4 ? "" : "s") in findings.json</li>" }
                h += "</ul>"
            }
            h += "</td></tr>\n"
        }
        return h + "</tbody></table></section>\n"
    }

    static func charts(_ ds: Dataset, _ hist: ClassHistogram.Report) -> String {
        let colorIndex = Dictionary(uniqueKeysWithValues: ds.classIds.enumerated().map { ($1, $0) })
        var h = "<section class=\"report-section\"><h2>Classes and splits</h2><div class=\"charts\">\n"
        let classBars = hist.perClass.map { row in
            SVGCharts.Bar(label: row.className, segments: [.init(value: row.instances, color: GalleryAssets.color(colorIndex[row.classId] ?? -1), name: "instances")])
        }
        h += "<figure id=\"chart-classes\"><figcaption>Instances per class</figcaption>\(SVGCharts.stackedBars(classBars))</figure>\n"
        let splitBars = hist.perSplit.map { row in
            SVGCharts.Bar(label: row.splitName ?? "?", segments: [
                .init(value: row.images - row.backgroundImages, color: "#4363d8", name: "images with labels"),
                .init(value: row.backgroundImages, color: "#bbbbbb", name: "background images"),
            ])
        }
        h += "<figure id=\"chart-splits\"><figcaption>Images per split (grey: background)</figcaption>\(SVGCharts.stackedBars(splitBars))</figure>\n"
        for (index, split) in ds.splits.enumerated() {
            let bars = ds.classIds.map { id in
                SVGCharts.Bar(label: ds.className(id), segments: [.init(value: hist.row(classId: id, split: index)?.instances ?? 0,
                                                                       color: GalleryAssets.color(colorIndex[id] ?? -1), name: "instances")])
            }
            h += "<figure class=\"chart-split\"><figcaption>Instances per class in \(HTMLText.escape(split))</figcaption>\(SVGCharts.stackedBars(bars))</figure>\n"
        }
        return h + "</div></section>\n"
    }

    static func oneDecimal(_ x: Double) -> String {
        let tenths = Int((x * 10).rounded())
        return "\(tenths / 10).\(abs(tenths % 10))"
    }
}
