/// The in-memory dataset every check reads. Loaders fill it; nothing else mutates it.
///
/// Boxes and predictions live in flat arrays indexed by ranges on each image, so a
/// COCO-scale set (~120k images, ~1M boxes) stays a few tens of MB and bulk primitives
/// (histograms, matching) run over contiguous memory.
public struct Dataset: Sendable {
    public enum Format: String, Sendable { case yolo, coco }

    /// Human name: the data.yaml's folder name or the COCO file's stem.
    public var name: String
    /// Absolute path of the dataset root; `ImageRecord.path` and finding places are relative to it.
    public var root: String
    public var format: Format
    /// The file the dataset was loaded from (data.yaml or the first COCO JSON), absolute.
    public var source: String
    /// Split names in the order the source declares them (e.g. ["train", "val", "test"]).
    public var splits: [String]
    /// Class id → name. YOLO ids are 0-based and contiguous; COCO ids are kept as the file has them.
    public var classNames: [Int: String]
    /// Pose datasets: the `kpt_shape` from data.yaml (e.g. [17, 3]); nil otherwise.
    public var keypointShape: [Int]?

    public var images: [ImageRecord] = []
    public var boxes: [BoxLabel] = []
    public var predictions: [PredictionBox] = []
    /// True when a predictions file was loaded (an image with no predictions then means "model found nothing").
    public var hasPredictions = false
    /// Where the predictions came from, absolute; nil without predictions.
    public var predictionsSource: String?
    /// SHA-256 (hex) of the predictions' manifest — one line "path NUL xxh3-128 hex" per
    /// file, sorted by path relative to the predictions folder ("" for a lone JSON file) —
    /// for findings.json's `tool.predictions_sha256`. Hashed on a thread of its own while
    /// the checks run; reading it waits for that.
    public var predictionsDigest: String? { predictionsDigestValue?.value }
    var predictionsDigestValue: BackgroundValue<String>?
    /// True only for a YOLO set loaded with `readHeaders == false`: image sizes are then
    /// unknown (0) and boxes and predictions stay in normalised 0–1 units.
    public var normalizedBoxes = false
    /// Rows of metadata.csv and EXIF fields, keyed by column name, per image index.
    public var metadata: MetadataTable = MetadataTable()
    /// Everything the loaders found wrong with the input, each with its place.
    public var issues: [Finding] = []

    public init(name: String, root: String, format: Format, source: String,
                splits: [String], classNames: [Int: String]) {
        self.name = name
        self.root = root
        self.format = format
        self.source = source
        self.splits = splits
        self.classNames = classNames
    }

    /// Class ids sorted ascending (COCO ids may be sparse).
    public var classIds: [Int] { classNames.keys.sorted() }

    /// `"#7"` for ids without a name, as findings.json requires.
    public func className(_ id: Int) -> String { classNames[id] ?? "#\(id)" }

    public func boxes(of image: ImageRecord) -> ArraySlice<BoxLabel> {
        boxes[Int(image.boxStart)..<Int(image.boxEnd)]
    }

    public func predictions(of image: ImageRecord) -> ArraySlice<PredictionBox> {
        predictions[Int(image.predictionStart)..<Int(image.predictionEnd)]
    }
}

/// One image of the dataset.
public struct ImageRecord: Sendable {
    /// Relative to the dataset root with "/" separators, or absolute when the image lies outside it.
    public var path: String
    /// Absolute path on disk.
    public var absolutePath: String
    /// The on-disk path bytes when the file name is not valid UTF-8 (then `path` and
    /// `absolutePath` are lossy, for display); nil otherwise. Open files through
    /// `fileSystemPath` or `FileIO.readFile(of:)`, which use it.
    public var rawAbsolutePath: [UInt8]?
    /// Index into `Dataset.splits`.
    public var split: Int32
    /// Displayed size (EXIF orientation applied); 0 when the header could not be read.
    public var width: Int32 = 0
    public var height: Int32 = 0
    /// EXIF orientation 1...8 (1 when absent).
    public var orientation: UInt8 = 1
    /// YOLO: the label file relative to the root (it may not exist: background image).
    /// COCO: the annotation file relative to the root.
    public var labelPath: String?
    /// COCO image id; nil for YOLO.
    public var cocoId: Int64?
    /// Range into `Dataset.boxes`.
    public var boxStart: Int32 = 0
    public var boxEnd: Int32 = 0
    /// Range into `Dataset.predictions`.
    public var predictionStart: Int32 = 0
    public var predictionEnd: Int32 = 0
    /// File size in bytes and modification time (seconds since 1970), from the header read.
    public var fileSize: Int64 = 0
    public var mtime: Double = 0

    public init(path: String, absolutePath: String, split: Int32) {
        self.path = path
        self.absolutePath = absolutePath
        self.split = split
    }

    public var boxCount: Int { Int(boxEnd - boxStart) }
    public var predictionCount: Int { Int(predictionEnd - predictionStart) }
}

/// A labelled box in pixels of the displayed image (x1 < x2, y1 < y2 unless degenerate).
public struct BoxLabel: Sendable, Equatable {
    public var classId: Int32
    public var x1: Double
    public var y1: Double
    public var x2: Double
    public var y2: Double
    /// YOLO: 1-based line in the label file. COCO: 1-based index in the file's
    /// "annotations" array (the place of annotations that have no id).
    public var line: Int32
    /// COCO annotation id; -1 for YOLO.
    public var annotationId: Int64
    public var isCrowd: Bool

    public init(classId: Int32, x1: Double, y1: Double, x2: Double, y2: Double,
                line: Int32 = 0, annotationId: Int64 = -1, isCrowd: Bool = false) {
        self.classId = classId
        self.x1 = x1; self.y1 = y1; self.x2 = x2; self.y2 = y2
        self.line = line
        self.annotationId = annotationId
        self.isCrowd = isCrowd
    }

    public var width: Double { x2 - x1 }
    public var height: Double { y2 - y1 }
}

/// A box predicted by the user's model, pixels of the displayed image.
public struct PredictionBox: Sendable, Equatable {
    public var classId: Int32
    public var x1: Double
    public var y1: Double
    public var x2: Double
    public var y2: Double
    public var confidence: Double

    public init(classId: Int32, x1: Double, y1: Double, x2: Double, y2: Double, confidence: Double) {
        self.classId = classId
        self.x1 = x1; self.y1 = y1; self.x2 = x2; self.y2 = y2
        self.confidence = confidence
    }
}

/// metadata.csv columns plus EXIF-derived columns (`exif_model`, `exif_date`), per image index.
public struct MetadataTable: Sendable {
    public var columns: [String] = []
    /// rows[imageIndex] = column → value; images without a row have an empty dictionary.
    public var rows: [[String: String]] = []
    public init() {}

    public func value(_ column: String, image: Int) -> String? {
        image < rows.count ? rows[image][column] : nil
    }
}
