import Foundation
import XCTest
@testable import QCCore

/// The content-keyed hash cache on real JPEGs (the bundled sample's pictures): unchanged
/// files are not opened, touched files are re-read but not decoded, changed files are
/// hashed again, and an interrupted append loses nothing but its own batch.
final class HashCacheTests: XCTestCase {
    static let sampleImages = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("samples/yolo_forklift/images/train")

    /// A YOLO dataset of `count` sample pictures (no labels) in a fresh folder.
    func makeDataset(_ folder: FixtureFolder, count: Int = 12) throws -> Dataset {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.sampleImages.path).filter { $0.hasSuffix(".jpg") }.sorted()
        for name in names.prefix(count) {
            folder.write("images/\(name)", try Array(Data(contentsOf: Self.sampleImages.appendingPathComponent(name))))
        }
        folder.write("data.yaml", text: "train: images\nnames: [forklift, person, pallet]\n")
        return try DatasetLoader.load(folder.path, options: LoadOptions())
    }

    /// One qcpass run: open the cache, hash, write what was learnt.
    func hashRun(_ ds: Dataset, _ cacheDir: FixtureFolder, jobs: Int = 2) throws -> DatasetHashes {
        let cache = try HashCache(directory: cacheDir.path)
        let result = DatasetHashes.compute(ds, jobs: jobs, cache: cache)
        try cache.flush()
        return result
    }

    func touch(_ path: String, secondsAgo: Double) throws {
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -secondsAgo)], ofItemAtPath: path)
    }

    func testUnchangedTouchedAndChangedFiles() throws {
        let data = FixtureFolder(), cacheDir = FixtureFolder()
        var ds = try makeDataset(data)
        let n = ds.images.count
        let first = try hashRun(ds, cacheDir)
        XCTAssertEqual([first.decoded, first.fromPath, first.fromContent], [n, 0, 0])
        XCTAssertEqual(first.failed, 0)

        // A new process: everything from the (path, size, mtime) fast path, same answers.
        let second = try hashRun(ds, cacheDir)
        XCTAssertEqual([second.decoded, second.fromPath, second.fromContent], [0, n, 0])
        XCTAssertEqual(second.outcomes, first.outcomes)

        // A fresh clone: new mtimes, same bytes — re-read and digested, never decoded.
        for image in ds.images { try touch(image.absolutePath, secondsAgo: 3600) }
        let third = try hashRun(ds, cacheDir)
        XCTAssertEqual([third.decoded, third.fromPath, third.fromContent], [0, 0, n])
        XCTAssertEqual(third.outcomes, first.outcomes)

        // One file's bytes change (a JPEG with trailing bytes still decodes): hashed again.
        let changed = ds.images[3].absolutePath
        var bytes = try Array(Data(contentsOf: URL(fileURLWithPath: changed)))
        bytes += Array("trailing".utf8)
        FileManager.default.createFile(atPath: changed, contents: Data(bytes))
        ds = try DatasetLoader.load(data.path, options: LoadOptions())
        let fourth = try hashRun(ds, cacheDir, jobs: 1)
        XCTAssertEqual([fourth.decoded, fourth.fromPath, fourth.fromContent], [1, n - 1, 0])
        XCTAssertNotEqual(try fourth.outcomes[3].get().content, try first.outcomes[3].get().content)
        XCTAssertEqual(try fourth.outcomes[3].get().phash, try first.outcomes[3].get().phash, "same pixels")
    }

    func testRecordsSurviveATornTail() throws {
        let data = FixtureFolder(), cacheDir = FixtureFolder()
        let ds = try makeDataset(data, count: 5)
        let writer = try HashCache(directory: cacheDir.path)
        let hashed = DatasetHashes.compute(ds, jobs: 1, cache: writer)
        try writer.flush()
        let log = cacheDir.url(HashCache.fileName)
        let whole = try Array(Data(contentsOf: URL(fileURLWithPath: log)))
        // Ctrl-C in the middle of an append: half a record at the end.
        var other = [UInt8]()
        let size0 = try hashed.outcomes[0].get().fileSize, size1 = try hashed.outcomes[1].get().fileSize
        CacheRecord(path: Array("/x/y.jpg".utf8), size: size0, mtimeNanoseconds: 1, outcome: hashed.outcomes[0]).encoded(into: &other)
        FileManager.default.createFile(atPath: log, contents: Data(whole + other.prefix(other.count / 2)))

        let reader = try HashCache(directory: cacheDir.path)
        XCTAssertEqual(reader.loadedRecords, 5)
        XCTAssertEqual(reader.ignoredTailBytes, other.count / 2)
        let again = DatasetHashes.compute(ds, jobs: 1, cache: reader)
        XCTAssertEqual(again.fromPath, 5)
        // The next append starts on a record boundary again.
        reader.record(path: Array("/x/z.jpg".utf8), size: size1, mtimeNanoseconds: 2, outcome: hashed.outcomes[1])
        try reader.flush()
        let after = try HashCache(directory: cacheDir.path)
        XCTAssertEqual(after.loadedRecords, 6)
        XCTAssertEqual(after.ignoredTailBytes, 0)
        XCTAssertEqual(after.lookup(path: Array("/x/z.jpg".utf8), size: size1, mtimeNanoseconds: 2), hashed.outcomes[1])
        XCTAssertNil(after.lookup(path: Array("/x/z.jpg".utf8), size: size1, mtimeNanoseconds: 3), "another mtime misses the fast path")
    }

    func testUndecodableBytesAreCachedMissingFilesAreNot() throws {
        let data = FixtureFolder(), cacheDir = FixtureFolder()
        var ds = try makeDataset(data, count: 3)
        let broken = ds.images[0].absolutePath
        let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: broken)))
        FileManager.default.createFile(atPath: broken, contents: Data(bytes.prefix(700)))
        ds = try DatasetLoader.load(data.path, options: LoadOptions())
        try FileManager.default.removeItem(atPath: ds.images[1].absolutePath)

        let cache = try HashCache(directory: cacheDir.path)
        let first = DatasetHashes.compute(ds, jobs: 1, cache: cache)
        try cache.flush()
        guard case .failure(let truncated) = first.outcomes[0] else { return XCTFail("a 700-byte JPEG must not decode") }
        XCTAssertNotNil(truncated.content)
        guard case .failure(let missing) = first.outcomes[1] else { return XCTFail("the file is gone") }
        XCTAssertEqual(missing.kind, .unreadableFile)

        let reopened = try HashCache(directory: cacheDir.path)
        XCTAssertEqual(reopened.count, 2, "the truncated file and the good one; not the missing one")
        let second = DatasetHashes.compute(ds, jobs: 1, cache: reopened)
        XCTAssertEqual(second.fromPath, 2)
        XCTAssertEqual(second.outcomes[0], first.outcomes[0])
        let issues = second.issues(ds)
        XCTAssertEqual(issues.map(\.kind), ["unreadable_image", "unreadable_image"])
        XCTAssertEqual(issues.map(\.image), [ds.images[0].path, ds.images[1].path])
        XCTAssertTrue(issues[0].message.contains("truncated") || issues[0].message.contains("corrupt"), issues[0].message)
        XCTAssertTrue(issues[1].message.contains("missing"), issues[1].message)
    }

    func testCacheDirectoryThatCannotBeCreatedIsAnErrorAtTheFirstWrite() throws {
        let cache = try HashCache(directory: "/proc/qcpass-cache")  // opening writes nothing
        let data = FixtureFolder()
        let ds = try makeDataset(data, count: 1)
        _ = DatasetHashes.compute(ds, jobs: 1, cache: cache)
        XCTAssertThrowsError(try cache.flush()) { error in
            XCTAssertTrue("\(error)".contains("/proc/qcpass-cache"), "\(error)")
        }
    }

    func testHeadersComeFromTheCacheUntilAFileChanges() throws {
        let data = FixtureFolder(), cacheDir = FixtureFolder()
        _ = try makeDataset(data, count: 6)
        func load() throws -> (Dataset, HeaderCache) {
            var options = LoadOptions()
            options.headerCache = try HeaderCache(directory: cacheDir.path)
            let ds = try DatasetLoader.load(data.path, options: options)
            try options.headerCache?.flush()
            return (ds, options.headerCache!)
        }
        let (first, c1) = try load()
        XCTAssertEqual(c1.loadedRecords, 0)
        let (second, c2) = try load()
        XCTAssertEqual(c2.loadedRecords, 6)
        func sizes(_ ds: Dataset) -> [String] {
            ds.images.map { "\($0.path) \($0.width)x\($0.height) o\($0.orientation) \($0.fileSize) \($0.mtime)" }
        }
        XCTAssertEqual(sizes(second), sizes(first), "cached headers read back identically")
        XCTAssertEqual(second.fingerprint(), first.fingerprint())
        // A picture replaced by another of a different size under the same name.
        let target = first.images[0].absolutePath
        let other = try Array(Data(contentsOf: URL(fileURLWithPath: first.images.first { $0.width != first.images[0].width || $0.height != first.images[0].height }?.absolutePath ?? first.images[1].absolutePath)))
        FileManager.default.createFile(atPath: target, contents: Data(other + [0]))
        let (third, _) = try load()
        let fresh = try DatasetLoader.load(data.path, options: LoadOptions())
        XCTAssertEqual(sizes(third), sizes(fresh), "a changed file is read again")
    }
}
