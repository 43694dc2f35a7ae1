/// DESIGN.md's default group key, one string per image (nil = the image is its own group):
/// the `scene` column; else `camera|day`; else EXIF model + date; else, for file names
/// ending in a frame number, the stem — only when at least `minRun` consecutive numbers
/// share it, so that `IMG_1234.jpg` holiday photos do not all merge into one group.
public enum DefaultGroupKey {
    public static func keys(for dataset: Dataset, minRun: Int) -> [String?] {
        var keys = [String?](repeating: nil, count: dataset.images.count)
        var frameCandidates: [String: [(number: Int, image: Int)]] = [:]
        let meta = dataset.metadata
        // By index: binding each ImageRecord would retain and release all its strings.
        for i in dataset.images.indices {
            if let scene = nonEmpty(meta.value("scene", image: i)) {
                keys[i] = "scene:\(scene)"
            } else if let camera = nonEmpty(meta.value("camera", image: i)),
                      let day = nonEmpty(meta.value("day", image: i)) {
                keys[i] = "camera-day:\(camera)|\(day)"
            } else if let model = nonEmpty(meta.value("exif_model", image: i)),
                      let date = nonEmpty(meta.value("exif_date", image: i)) {
                keys[i] = "exif:\(model)|\(date.prefix(10))"
            } else if let (stem, number) = frameStem(of: dataset.images[i].path) {
                frameCandidates[stem, default: []].append((number, i))
            }
        }
        for (stem, frames) in frameCandidates where frames.count >= minRun {
            let sorted = frames.sorted { $0.number < $1.number }
            var runStart = 0
            for j in 1...sorted.count {
                let continues = j < sorted.count && sorted[j].number - sorted[j - 1].number <= 1
                if continues { continue }
                if j - runStart >= minRun {
                    for k in runStart..<j { keys[sorted[k].image] = "frames:\(stem)" }
                }
                runStart = j
            }
        }
        return keys
    }

    /// `videos/cam1_000101.jpg` → ("videos/cam1_", 101). Needs ≥ 3 digits so that
    /// `person2.jpg` is not read as frame 2 of a "person" sequence, and a non-empty name
    /// before them: all-digit names (`000000000139.jpg`, COCO's image ids) are ids, not
    /// frame numbers. Works on UTF-8 bytes: it runs once per image.
    static func frameStem(of path: String) -> (String, Int)? {
        let bytes = Array(path.utf8)
        var end = bytes.count
        if let dot = bytes.lastIndex(of: UInt8(ascii: ".")), bytes.count - dot <= 5 { end = dot }
        var start = end
        while start > 0, bytes[start - 1] >= UInt8(ascii: "0"), bytes[start - 1] <= UInt8(ascii: "9") { start -= 1 }
        let digits = end - start
        guard digits >= 3, digits <= 9, start > 0, bytes[start - 1] != UInt8(ascii: "/") else { return nil }
        var number = 0
        for b in bytes[start..<end] { number = number * 10 + Int(b - UInt8(ascii: "0")) }
        return (String(decoding: bytes[0..<start], as: UTF8.self), number)
    }

    private static func nonEmpty(_ s: String?) -> String? {
        guard let s, !s.trimmingSpaces.isEmpty else { return nil }
        return s
    }
}

extension String {
    var trimmingSpaces: Substring {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return s
    }
}
