extension Dataset {
    /// A stable xxh3-128 hex over what the checks read: the format, class names, and per
    /// image (sorted by path) its path, split name, displayed size and boxes in file order.
    /// Independent of load order, job count and file mtimes, so two loads of the same
    /// files on any machine agree, and any label edit changes it.
    public func fingerprint() -> String {
        var out = FingerprintBytes()
        out.append("qcpass.dataset/1\u{0}\(format.rawValue)\u{0}")
        for id in classIds {
            out.append(value: Int64(id))
            out.append(classNames[id] ?? "")
            out.append("\u{0}")
        }
        for index in pathOrder() {
            // Fields read in place: binding the record would retain and release its strings.
            out.append(images[index].path)
            out.append("\u{0}")
            let split = Int(images[index].split)
            out.append(split >= 0 && split < splits.count ? splits[split] : "")
            out.append("\u{0}")
            out.append(value: images[index].width)
            out.append(value: images[index].height)
            out.append(value: Int32(images[index].boxCount))
            for box in boxes[Int(images[index].boxStart)..<Int(images[index].boxEnd)] {
                out.append(value: box.classId)
                out.append(value: box.x1.bitPattern)
                out.append(value: box.y1.bitPattern)
                out.append(value: box.x2.bitPattern)
                out.append(value: box.y2.bitPattern)
                out.append(value: box.isCrowd ? UInt8(1) : UInt8(0))
            }
        }
        return out.finalHex()
    }

    /// Image indexes by path (bytewise). Loaders list images in path order already, so
    /// one pass that confirms it usually replaces the sort.
    private func pathOrder() -> [Int] {
        func precedes(_ a: String, _ b: String) -> Bool {
            var a = a, b = b
            return a.withUTF8 { x in b.withUTF8 { y in RawPath.precedes(UnsafeRawBufferPointer(x), UnsafeRawBufferPointer(y)) } }
        }
        var sorted = true
        var k = 1
        while sorted && k < images.count {
            if precedes(images[k].path, images[k - 1].path) { sorted = false }
            k += 1
        }
        if sorted { return Array(images.indices) }
        return images.indices.sorted { precedes(images[$0].path, images[$1].path) }
    }
}

/// The fingerprint's byte stream, handed to xxh3 in 64 KiB blocks: one update per field
/// (nine per box) cost more than the hashing itself. Same digest as field-by-field updates.
private struct FingerprintBytes {
    private let hasher = ContentHash.Hasher128()
    private var buffer: [UInt8] = []

    init() { buffer.reserveCapacity(1 << 16) }

    mutating func append(_ string: String) {
        buffer.append(contentsOf: string.utf8)
        flushIfFull()
    }

    mutating func append<T: FixedWidthInteger>(value: T) {
        withUnsafeBytes(of: value) { buffer.append(contentsOf: $0) }
        flushIfFull()
    }

    private mutating func flushIfFull() {
        if buffer.count >= 1 << 16 { flush() }
    }

    private mutating func flush() {
        buffer.withUnsafeBytes { hasher.update($0) }
        buffer.removeAll(keepingCapacity: true)
    }

    mutating func finalHex() -> String {
        flush()
        return hasher.finalHex()
    }
}
