/// report.html: the report's summary, checks with evidence and charts, then the images
/// the checks flag most strongly as a gallery grouped by check — the first place a
/// reviewer looks, with the same verdict buttons and export as the audit gallery.
public enum ReportHTML {
    /// More flagged images than this stay in findings.json: a report page with thousands
    /// of thumbnails helps nobody and costs seconds to make.
    public static let flaggedLimit = 500

    @discardableResult
    /// `histogram`: the run's class histogram when the caller has one (else built here).
    public static func write(_ doc: FindingsDocument, dataset ds: Dataset, date: String, reviewer: String?,
                             histogram: ClassHistogram.Report? = nil,
                             options: GalleryOutput.Options) throws(AtomicFile.WriteError) -> [String] {
        let ranked = StratifiedSampler.rankFlagged(doc.findings)
        let rows = ranked.prefix(flaggedLimit).map { f in
            AuditSheet.Row(image: f.image, bucket: "flagged", reason: "\(f.top.check)/\(f.top.kind): \(StratifiedSampler.shortened(f.top.message))",
                           findingId: f.top.id)
        }
        let checkOf = Dictionary(ranked.prefix(flaggedLimit).map { ($0.image, $0.top.check) }, uniquingKeysWith: { a, _ in a })
        var subtitle = "\(doc.datasetName) · \(doc.images) images · \(doc.findings.count) findings · ready to train: \(doc.ready ? "yes" : "no")"
        if ranked.count > rows.count { subtitle += " · the \(rows.count) most strongly flagged of \(ranked.count) flagged images are shown" }
        let page = GalleryPage(title: "QC report: \(doc.datasetName)", subtitle: subtitle, baseName: "report", groupLabel: "check",
                               groupOrder: doc.checks.map(\.id), classNames: ds.classIds.map { ds.className($0) },
                               sheetRows: rows, pageSize: flaggedLimit,
                               firstPageHeader: ReportPage.header(doc, dataset: ds, date: date, reviewer: reviewer,
                                                                  histogram: histogram ?? ClassHistogram.build(ds, sizeStatistics: false)))
        return try GalleryOutput.write(page, rows: rows, group: { checkOf[$0.image] ?? "" }, dataset: ds,
                                       findings: doc.findings, options: options)
    }
}
