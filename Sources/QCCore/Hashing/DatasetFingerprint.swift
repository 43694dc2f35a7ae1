extension Dataset {
    /// A stable xxh3-128 hex over what the checks read: the format, class names, and per
    /// image (sorted by path) its path, split name, displayed size and boxes in file order.
    /// Independent of load order, job count and file mtimes, so two loads of the same
    /// files on any machine agree, and any label edit changes it.
    public func fingerprint() -> String {
        let hasher = ContentHash.Hasher128()
        hasher.update("qcpass.dataset/1\u{0}\(format.rawValue)\u{0}")
        for id in classIds {
            hasher.update(value: Int64(id))
            hasher.update(classNames[id] ?? "")
            hasher.update("\u{0}")
        }
        let order = images.indices.sorted {
            images[$0].path.utf8.lexicographicallyPrecedes(images[$1].path.utf8)
        }
        for index in order {
            let image = images[index]
            hasher.update(image.path)
            hasher.update("\u{0}")
            let split = Int(image.split)
            hasher.update(split >= 0 && split < splits.count ? splits[split] : "")
            hasher.update("\u{0}")
            hasher.update(value: image.width)
            hasher.update(value: image.height)
            hasher.update(value: Int32(image.boxCount))
            for box in boxes(of: image) {
                hasher.update(value: box.classId)
                hasher.update(value: box.x1.bitPattern)
                hasher.update(value: box.y1.bitPattern)
                hasher.update(value: box.x2.bitPattern)
                hasher.update(value: box.y2.bitPattern)
                hasher.update(value: box.isCrowd ? UInt8(1) : UInt8(0))
            }
        }
        return hasher.finalHex()
    }
}
