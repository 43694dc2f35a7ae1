/// Horizontal bar charts as inline SVG (no script, no external file): the report's class
/// histogram and per-split charts.
enum SVGCharts {
    struct Segment { var value: Int; var color: String; var name: String }
    struct Bar { var label: String; var segments: [Segment] }

    /// One row per bar, segments stacked left to right, the total printed after the bar.
    static func stackedBars(_ bars: [Bar], width: Int = 420, maxBars: Int = 100) -> String {
        let shown = Array(bars.prefix(maxBars))
        let labelWidth = min(160, 12 + 7 * (shown.map(\.label.count).max() ?? 4))
        let barArea = Double(width - labelWidth - 60)
        let rowHeight = 20, top = 4
        let height = top * 2 + rowHeight * max(1, shown.count) + (bars.count > shown.count ? rowHeight : 0)
        let maxTotal = max(1, shown.map { $0.segments.reduce(0) { $0 + $1.value } }.max() ?? 1)
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\""
        s += " role=\"img\" font-family=\"system-ui, sans-serif\" font-size=\"12\">"
        for (row, bar) in shown.enumerated() {
            let y = top + row * rowHeight
            s += "<text x=\"\(labelWidth - 6)\" y=\"\(y + 14)\" text-anchor=\"end\">\(HTMLText.escape(bar.label))</text>"
            var x = Double(labelWidth)
            var total = 0
            for seg in bar.segments where seg.value > 0 {
                let w = max(1, barArea * Double(seg.value) / Double(maxTotal))
                s += "<rect x=\"\(HTMLText.number(x))\" y=\"\(y + 3)\" width=\"\(HTMLText.number(w))\" height=\"\(rowHeight - 6)\" fill=\"\(seg.color)\">"
                s += "<title>\(HTMLText.escape(bar.label)): \(seg.value) \(HTMLText.escape(seg.name))</title></rect>"
                x += w
                total += seg.value
            }
            s += "<text x=\"\(HTMLText.number(x + 4))\" y=\"\(y + 14)\" fill=\"#555\">\(total)</text>"
        }
        if bars.count > shown.count {
            s += "<text x=\"\(labelWidth)\" y=\"\(top + shown.count * rowHeight + 14)\" fill=\"#555\">… \(bars.count - shown.count) more</text>"
        }
        return s + "</svg>"
    }
}
