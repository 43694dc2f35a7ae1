import Foundation

/// Writes gallery pages (and their thumbnails) into an output folder: the shared last
/// step of `qcpass sample` (gallery.html) and `qcpass check` (report.html).
public enum GalleryOutput {
    public struct Options: Sendable {
        public var outDir: String
        /// False for `--no-images`: boxes on blank frames of the image's aspect, no thumbnails.
        public var images: Bool
        public var jobs: Int
        /// The run's content digest per image (empty when it hashed nothing): a thumbnail
        /// already made for those bytes is found without reading the image again.
        public var knownContent: [ContentDigest?]
        public init(outDir: String, images: Bool, jobs: Int, knownContent: [ContentDigest?] = []) {
            self.outDir = outDir; self.images = images; self.jobs = jobs; self.knownContent = knownContent
        }
    }

    /// Returns the page file names, first page first.
    @discardableResult
    public static func write(_ page: GalleryPage, rows: [AuditSheet.Row], group: (AuditSheet.Row) -> String,
                             dataset ds: Dataset, findings: [Finding], options: Options) throws(AtomicFile.WriteError) -> [String] {
        var thumbnails: [String: ThumbnailStore.Outcome] = [:]
        let imageRows = rows.filter(\.isImageRow)
        let indexByPath = ds.imageIndexes(of: imageRows.map(\.image))
        if options.images {
            let wanted = imageRows.compactMap { indexByPath[$0.image] }
            for (i, outcome) in ThumbnailStore.make(for: wanted, of: ds, outDir: options.outDir, jobs: options.jobs,
                                                            knownContent: options.knownContent) {
                thumbnails[ds.images[i].path] = outcome
            }
        }
        let cards = GalleryCard.build(rows: rows, group: group, dataset: ds, findings: findings, thumbnails: thumbnails,
                                      imageIndex: indexByPath)
        let pages = page.render(cards)
        for p in pages { try AtomicFile.write(p.html, to: "\(options.outDir)/\(p.name)") }
        // Pages past the last one are from an earlier, larger run: remove them so no page
        // links into a different sample.
        var stale = pages.count + 1
        while true {
            let path = "\(options.outDir)/\(GalleryPage.fileName(base: page.baseName, page: stale))"
            guard FileIO.kind(of: path) == .file else { break }
            unlink(path)
            stale += 1
        }
        return pages.map(\.name)
    }
}
