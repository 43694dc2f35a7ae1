@testable import QCCore

/// Small in-memory detection datasets (labels and predictions in pixels) whose right
/// answers can be worked out by hand, for the native label-check passes.
enum DetectionFixtures {
    struct Img {
        var labels: [BoxLabel] = []
        var preds: [PredictionBox] = []
        var width: Int32 = 640
        var height: Int32 = 480
        var split: Int32 = 0
    }

    static func label(_ c: Int32, _ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, crowd: Bool = false, line: Int32 = 1) -> BoxLabel {
        BoxLabel(classId: c, x1: x1, y1: y1, x2: x2, y2: y2, line: line, isCrowd: crowd)
    }

    static func pred(_ c: Int32, _ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, _ conf: Double) -> PredictionBox {
        PredictionBox(classId: c, x1: x1, y1: y1, x2: x2, y2: y2, confidence: conf)
    }

    static func dataset(_ images: [Img], classes: Int = 3, splits: [String] = ["train"]) -> Dataset {
        var ds = Dataset(name: "t", root: "/t", format: .yolo, source: "/t/data.yaml", splits: splits,
                         classNames: Dictionary(uniqueKeysWithValues: (0..<classes).map { ($0, "c\($0)") }))
        for (i, img) in images.enumerated() {
            var r = ImageRecord(path: "images/\(i).jpg", absolutePath: "/t/images/\(i).jpg", split: img.split)
            r.width = img.width; r.height = img.height
            r.boxStart = Int32(ds.boxes.count); ds.boxes += img.labels; r.boxEnd = Int32(ds.boxes.count)
            r.predictionStart = Int32(ds.predictions.count); ds.predictions += img.preds; r.predictionEnd = Int32(ds.predictions.count)
            ds.images.append(r)
        }
        ds.hasPredictions = images.contains { !$0.preds.isEmpty }
        return ds
    }
}
