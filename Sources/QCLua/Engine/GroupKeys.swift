import QCCore

/// One group key per image: the project's `group_key(img)` when it has one, else
/// DESIGN.md's default. A failing `group_key` stops the run (exit 2) naming the image,
/// because leakage results built on half the keys would mislead.
enum GroupKeys {
    static func compute(dataset: Dataset, config: ProjectConfig, minRun: Int) throws(EngineError) -> [String?] {
        let defaults = DefaultGroupKey.keys(for: dataset, minRun: minRun)
        guard let (sandbox, function) = config.groupKey else { return defaults }
        // The project's function sees the default as `img.default_group`, so it can refine
        // it rather than re-implement it.
        let scratch = RunData(dataset: dataset, groupKeys: [String?](repeating: nil, count: dataset.images.count), today: "")
        var keys: [String?] = []
        keys.reserveCapacity(dataset.images.count)
        for i in dataset.images.indices {
            let value: [LuaValue]
            do {
                var image = DatasetBindings.imageValue(scratch, i)
                if case .table(var t) = image, let d = defaults[i] {
                    t.fields.append((.string("default_group"), .string(d)))
                    image = .table(t)
                }
                value = try sandbox.call(function, [image])
            } catch {
                throw EngineError.config(place: config.path ?? "qcpass.lua", message:
                    "group_key failed for \(dataset.images[i].path): \(error)")
            }
            switch value.first {
            case .string(let s)?: keys.append(s.isEmpty ? nil : s)
            case .int(let n)?: keys.append(String(n))
            case .number(let d)?: keys.append(String(d))
            case nil, .nil?: keys.append(nil)
            case let other?:
                throw EngineError.config(place: config.path ?? "qcpass.lua", message:
                    "group_key must return a string or nil, returned a \(other.typeName) for \(dataset.images[i].path)")
            }
        }
        return keys
    }
}
