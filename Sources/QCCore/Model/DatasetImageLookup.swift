extension Dataset {
    /// The index of the first image with each of `paths` (relative paths as in findings);
    /// paths no image has are absent. One pass over the images that hashes each path once
    /// and stores only the wanted ones: a report showing 500 images of a 118k-image set
    /// does not build a 118k-entry dictionary.
    public func imageIndexes(of paths: some Sequence<String>) -> [String: Int] {
        let wanted = Set(paths)
        var found: [String: Int] = [:]
        guard !wanted.isEmpty else { return found }
        found.reserveCapacity(wanted.count)
        // By index: binding each ImageRecord would retain and release all its strings.
        for i in images.indices where wanted.contains(images[i].path) && found[images[i].path] == nil {
            found[images[i].path] = i
            if found.count == wanted.count { break }
        }
        return found
    }
}
