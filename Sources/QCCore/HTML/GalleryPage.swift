/// Renders gallery cards as self-contained HTML pages: boxes as absolutely positioned
/// divs over the thumbnail (percentages, so they follow the thumbnail's size), cards
/// grouped under headings, at most `pageSize` cards a page (`gallery.html`,
/// `gallery-2.html`, …). The cards are in the markup itself, so the page shows its
/// images and boxes even with scripts off; the script adds filters, keys and verdicts.
public struct GalleryPage {
    public var title: String
    public var subtitle: String
    /// File name stem: pages are `<base>.html`, `<base>-2.html`, ….
    public var baseName: String
    /// "bucket" or "check": what the group headings are.
    public var groupLabel: String
    public var groupOrder: [String]
    public var classNames: [String]
    public var pageSize: Int
    /// HTML placed above the gallery on the first page only (the report's summary).
    public var firstPageHeader: String?
    /// Every row the export writes, on every page, so each page exports the whole sheet.
    public var sheetRows: [AuditSheet.Row]

    public init(title: String, subtitle: String, baseName: String, groupLabel: String, groupOrder: [String],
                classNames: [String], sheetRows: [AuditSheet.Row], pageSize: Int = 500, firstPageHeader: String? = nil) {
        self.title = title; self.subtitle = subtitle; self.baseName = baseName; self.groupLabel = groupLabel
        self.groupOrder = groupOrder; self.classNames = classNames; self.sheetRows = sheetRows
        self.pageSize = max(1, pageSize); self.firstPageHeader = firstPageHeader
    }

    public static func fileName(base: String, page: Int) -> String { page == 1 ? "\(base).html" : "\(base)-\(page).html" }

    /// (file name, HTML) per page; at least one page, even without cards.
    public func render(_ cards: [GalleryCard]) -> [(name: String, html: String)] {
        let ordered = cards.enumerated().sorted { a, b in
            let ga = groupOrder.firstIndex(of: a.element.group) ?? Int.max, gb = groupOrder.firstIndex(of: b.element.group) ?? Int.max
            return ga != gb ? ga < gb : a.offset < b.offset
        }.map(\.element)
        let pageCount = max(1, (ordered.count + pageSize - 1) / pageSize)
        let rowsJSON = HTMLText.scriptJSON(Self.rowsJSON(sheetRows))
        let sheetKey = String(SHA256Text.hex(rowsJSON).prefix(16))
        return (1...pageCount).map { page in
            let slice = Array(ordered.dropFirst((page - 1) * pageSize).prefix(pageSize))
            return (Self.fileName(base: baseName, page: page),
                    renderPage(slice, page: page, pageCount: pageCount, total: ordered.count, rowsJSON: rowsJSON, sheetKey: sheetKey))
        }
    }

    func renderPage(_ cards: [GalleryCard], page: Int, pageCount: Int, total: Int, rowsJSON: String, sheetKey: String) -> String {
        var h = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        h += "<title>\(HTMLText.escape(title))\(pageCount > 1 ? " (page \(page) of \(pageCount))" : "")</title>\n"
        h += "<style>\n\(GalleryAssets.css)\n</style>\n</head>\n"
        h += "<body data-sheet=\"\(sheetKey)\">\n"
        h += "<header class=\"page\"><h1>\(HTMLText.escape(title))</h1><p>\(HTMLText.escape(subtitle))</p></header>\n"
        if page == 1, let header = firstPageHeader { h += header }
        h += controls(cards)
        h += pager(page: page, pageCount: pageCount, total: total)
        var index = 0
        var groupStart = 0
        while groupStart < cards.count {
            let group = cards[groupStart].group
            var groupEnd = groupStart
            while groupEnd < cards.count && cards[groupEnd].group == group { groupEnd += 1 }
            h += "<section class=\"group\" data-group=\"\(HTMLText.escape(group))\">"
            h += "<h2>\(HTMLText.escape(group)) <small>\(groupLabel) · \(groupEnd - groupStart) image\(groupEnd - groupStart == 1 ? "" : "s")</small></h2>\n"
            h += "<div class=\"grid\">\n"
            for card in cards[groupStart..<groupEnd] {
                index += 1
                h += render(card, number: (page - 1) * pageSize + index)
            }
            h += "</div></section>\n"
            groupStart = groupEnd
        }
        if cards.isEmpty { h += "<section class=\"group\"><p>No images to show.</p></section>\n" }
        h += pager(page: page, pageCount: pageCount, total: total)
        h += "<p class=\"help\">Keys: j / k or arrows move between images · 1 ok · 2 mislabeled · 3 missing labels · "
        h += "4 bad box · 5 duplicate · 6 other · p shows or hides predictions. Verdicts are kept in this browser; "
        h += "“Export audit.csv” writes the whole sheet, for <code>qcpass check --audit audit.csv</code>.</p>\n"
        h += "<script type=\"application/json\" id=\"qc-rows\">\(rowsJSON)</script>\n"
        h += "<script>\n\(GalleryAssets.script)\n</script>\n</body>\n</html>\n"
        return h
    }

    func controls(_ cards: [GalleryCard]) -> String {
        var checks: [String] = []
        for c in cards { for k in c.checks where !checks.contains(k) { checks.append(k) } }
        let hasPredictions = cards.contains { !$0.predictions.isEmpty }
        var h = "<div class=\"controls\">"
        h += "<label>Class <select id=\"qc-class\"><option value=\"\">all</option>"
        for name in classNames { h += "<option>\(HTMLText.escape(name))</option>" }
        h += "</select></label>"
        h += "<label>Check <select id=\"qc-check\"><option value=\"\">all</option>"
        for name in checks.sorted() { h += "<option>\(HTMLText.escape(name))</option>" }
        h += "</select></label>"
        h += "<label><input type=\"checkbox\" id=\"qc-preds\"\(hasPredictions ? " checked" : " disabled")> predictions</label>"
        h += "<span class=\"count\" id=\"qc-count\">\(cards.count) images</span>"
        h += "<button type=\"button\" class=\"export\" id=\"qc-export\">Export audit.csv</button>"
        h += "</div>\n"
        return h
    }

    func pager(page: Int, pageCount: Int, total: Int) -> String {
        guard pageCount > 1 else { return "" }
        var h = "<nav class=\"pages\">Pages (\(total) images): "
        for p in 1...pageCount {
            h += p == page ? "<span>\(p)</span>" : "<a href=\"\(Self.fileName(base: baseName, page: p))\">\(p)</a>"
        }
        return h + "</nav>\n"
    }

    func render(_ card: GalleryCard, number: Int) -> String {
        let aspect = card.width > 0 && card.height > 0 ? "\(card.width) / \(card.height)" : "4 / 3"
        var h = "<article class=\"card\" tabindex=\"-1\" id=\"card-\(number)\" data-image=\"\(HTMLText.escape(card.image))\""
        h += " data-classes=\"\(HTMLText.escape(Self.jsonList(card.classes)))\" data-checks=\"\(HTMLText.escape(Self.jsonList(card.checks)))\">\n"
        h += "<div class=\"frame\" style=\"aspect-ratio: \(aspect)\">"
        if let thumb = card.thumbnail {
            h += "<img src=\"\(HTMLText.escape(thumb))\" alt=\"\(HTMLText.escape(card.image))\" loading=\"lazy\">"
        } else {
            let note = card.thumbnailProblem.map { "no thumbnail: \($0)" } ?? (card.width > 0 ? "" : "image size unknown")
            h += "<div class=\"blank\">\(HTMLText.escape(note))</div>"
        }
        for b in card.labels { h += box(b, kind: "label") }
        for b in card.predictions { h += box(b, kind: "pred") }
        h += "</div>\n<div class=\"meta\"><code>\(HTMLText.escape(card.image))</code>"
        h += " <span class=\"reason\">· \(HTMLText.escape(card.row.bucket)): \(HTMLText.escape(card.row.reason))</span>"
        h += " <span class=\"reason\">· \(card.labels.count) label\(card.labels.count == 1 ? "" : "s")"
        if !card.predictions.isEmpty { h += ", \(card.predictions.count) prediction\(card.predictions.count == 1 ? "" : "s")" }
        h += "</span>"
        if !card.findings.isEmpty {
            h += "<ul>"
            for n in card.findings.prefix(6) {
                h += "<li><b>\(HTMLText.escape(n.check))/\(HTMLText.escape(n.kind))</b> \(HTMLText.escape(n.message))</li>"
            }
            if card.findings.count > 6 { h += "<li>… \(card.findings.count - 6) more in findings.json</li>" }
            h += "</ul>"
        }
        h += "</div>\n<div class=\"verdicts\">"
        for v in AuditSheet.verdicts {
            h += "<button type=\"button\" data-verdict=\"\(v)\" aria-pressed=\"false\">\(v.replacingOccurrences(of: "_", with: " "))</button>"
        }
        h += "</div>\n<div class=\"fixes\"><select class=\"corrected\" title=\"corrected class\"><option value=\"\">class ok</option>"
        for name in classNames { h += "<option>\(HTMLText.escape(name))</option>" }
        h += "</select><input class=\"note\" type=\"text\" placeholder=\"note\"></div>\n</article>\n"
        return h
    }

    func box(_ b: GalleryCard.Box, kind: String) -> String {
        let x1 = max(0, b.x1), y1 = max(0, b.y1), x2 = min(1, b.x2), y2 = min(1, b.y2)
        guard x2 > x1, y2 > y1 else { return "" }
        var classes = "box \(kind)"
        if x1 != b.x1 || y1 != b.y1 || x2 != b.x2 || y2 != b.y2 { classes += " clipped" }
        if y1 < 0.08 { classes += " top" }
        var text = b.className
        if let c = b.confidence { text += " " + StratifiedSampler.format(c) }
        return "<div class=\"\(classes)\" style=\"--c:\(GalleryAssets.color(b.colorIndex));left:\(HTMLText.percent(x1));"
            + "top:\(HTMLText.percent(y1));width:\(HTMLText.percent(x2 - x1));height:\(HTMLText.percent(y2 - y1))\">"
            + "<span>\(HTMLText.escape(text))</span></div>"
    }

    static func jsonList(_ items: [String]) -> String {
        var w = JSONWriter(indent: 0, reserve: 64)
        w.beginArray()
        for s in items { w.string(s) }
        w.endArray()
        return w.string
    }

    static func rowsJSON(_ rows: [AuditSheet.Row]) -> String {
        var w = JSONWriter(indent: 0, reserve: 256 + rows.count * 160)
        w.beginArray()
        for r in rows where r.isImageRow {
            w.beginObject()
            w.key("image"); w.string(r.image)
            w.key("bucket"); w.string(r.bucket)
            w.key("reason"); w.string(r.reason)
            w.key("finding_id"); w.string(r.findingId)
            w.endObject()
        }
        w.endArray()
        return w.string
    }
}
