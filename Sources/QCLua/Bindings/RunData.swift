import Foundation
import QCCore

/// What every rule of one run reads: the dataset and values derived from it once
/// (group keys, path index). Immutable after construction apart from values built once
/// on first use (`BackgroundValue`), so rules running on several threads share it safely.
public final class RunData: @unchecked Sendable {
    public let dataset: Dataset
    /// One group key per image (nil: the image is its own group).
    public let groupKeys: [String?]
    /// Image index by dataset-relative path (the first image when two share one). Built
    /// on first use: only rules that emit findings by path, fix and audit read it.
    public var imageIndexByPath: [String: Int] { pathIndex.value }
    private let pathIndex: BackgroundValue<[String: Int]>
    /// Today's date "YYYY-MM-DD", for exception expiry (injectable for tests).
    public let today: String
    /// Every image's hashes, when a selected rule `needs` "image_hashes"; nil otherwise.
    public let hashes: DatasetHashes?

    /// The class histogram every run reports (findings.json, report.html) and most rules
    /// read, shared by all: the engine starts it on a thread of its own when the run
    /// starts; other users build it on first use.
    public var histogram: ClassHistogram.Report { histogramValue.value }
    private let histogramValue: BackgroundValue<ClassHistogram.Report>

    /// A value derived from the dataset once per run and shared by every rule that asks
    /// with the same `key` (e.g. a whole-dataset match for one parameter set). Rules run
    /// on several threads: the first caller builds, later ones wait for that key only.
    public func memo<T>(_ key: String, _ build: () -> T) -> T {
        memoLock.lock()
        let slot: MemoSlot
        if let s = memoSlots[key] { slot = s } else { slot = MemoSlot(); memoSlots[key] = slot }
        memoLock.unlock()
        slot.lock.lock(); defer { slot.lock.unlock() }
        if let v = slot.value as? T { return v }
        let v = build()
        slot.value = v
        return v
    }
    private final class MemoSlot { let lock = NSLock(); var value: Any? }
    private var memoSlots: [String: MemoSlot] = [:]
    private let memoLock = NSLock()

    /// `histogram`: one already under way (the engine starts it before computing group
    /// keys); nil builds it on first use.
    public init(dataset: Dataset, groupKeys: [String?], today: String, hashes: DatasetHashes? = nil,
                histogram: BackgroundValue<ClassHistogram.Report>? = nil) {
        self.histogramValue = histogram ?? Self.startHistogram(dataset, concurrently: false)
        self.pathIndex = BackgroundValue(concurrently: false) {
            var index: [String: Int] = [:]
            index.reserveCapacity(dataset.images.count)
            for i in dataset.images.indices where index[dataset.images[i].path] == nil { index[dataset.images[i].path] = i }
            return index
        }
        self.dataset = dataset
        self.hashes = hashes
        self.groupKeys = groupKeys
        self.today = today
    }

    public static func startHistogram(_ dataset: Dataset, concurrently: Bool = true) -> BackgroundValue<ClassHistogram.Report> {
        BackgroundValue(concurrently: concurrently) { ClassHistogram.build(dataset, sizeStatistics: false) }
    }

    /// `labels/train/x.txt:3` or `annotations/instances_val.json#id=5531`.
    public func ref(of box: BoxLabel, image: ImageRecord) -> String? {
        dataset.place(of: box, in: image)
    }

    public func splitName(_ index: Int32) -> String {
        let i = Int(index)
        return i >= 0 && i < dataset.splits.count ? dataset.splits[i] : "?"
    }
}
