extension Dataset {
    /// Where a box was written, in the findings.json `ref` form: `labels/train/x.txt:7` for
    /// YOLO, `annotations/instances_val.json#id=5531` for COCO (`#index=12`, the 0-based
    /// position in "annotations", when the annotation has no id). Nil when unknown.
    public func place(of box: BoxLabel, in image: ImageRecord) -> String? {
        place(of: box, labelPath: image.labelPath)
    }

    /// The same, for image `index` (without copying its record).
    public func place(of box: BoxLabel, image index: Int) -> String? {
        place(of: box, labelPath: images[index].labelPath)
    }

    private func place(of box: BoxLabel, labelPath: String?) -> String? {
        guard let file = labelPath else { return nil }
        switch format {
        case .yolo:
            return box.line > 0 ? "\(file):\(box.line)" : file
        case .coco:
            if box.annotationId >= 0 { return "\(file)#id=\(box.annotationId)" }
            return box.line > 0 ? "\(file)#index=\(box.line - 1)" : file
        }
    }
}
