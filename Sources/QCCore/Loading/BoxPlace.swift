extension Dataset {
    /// Where a box was written, in the findings.json `ref` form: `labels/train/x.txt:7` for
    /// YOLO, `annotations/instances_val.json#id=5531` for COCO (`#index=12`, the 0-based
    /// position in "annotations", when the annotation has no id). Nil when unknown.
    public func place(of box: BoxLabel, in image: ImageRecord) -> String? {
        guard let file = image.labelPath else { return nil }
        switch format {
        case .yolo:
            return box.line > 0 ? "\(file):\(box.line)" : file
        case .coco:
            if box.annotationId >= 0 { return "\(file)#id=\(box.annotationId)" }
            return box.line > 0 ? "\(file)#index=\(box.line - 1)" : file
        }
    }
}
