import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A new dataset is written into a hidden sibling folder and renamed into place as the
/// last step, so `NEW` exists only complete: a run that is killed or fails half-way
/// leaves at most `.NEW.partial-<pid>` beside it (removed on failure, and by the next
/// run when its process is gone).
public struct StagedFolder {
    public let target: String
    public let staging: String

    public init(target: String) throws(ExportError) {
        let url = URL(fileURLWithPath: target).standardizedFileURL
        self.target = url.path
        let parent = url.deletingLastPathComponent().path
        let name = url.lastPathComponent
        if let entries = try? FileManager.default.contentsOfDirectory(atPath: self.target), !entries.isEmpty {
            throw ExportError(self.target, "already exists and is not empty; choose another --out or remove it")
        }
        Self.removeAbandoned(parent: parent, name: name)
        staging = "\(parent)/.\(name).partial-\(getpid())"
        try? FileManager.default.removeItem(atPath: staging)
        do { try AtomicFile.createDirectories(staging) } catch { throw ExportError(staging, error.reason) }
    }

    /// Moves the finished folder into place (an empty `NEW` is replaced).
    public func commit() throws(ExportError) {
        if FileIO.kind(of: target) == .directory { rmdir(target) }
        guard rename(staging, target) == 0 else {
            throw ExportError(target, "cannot move the finished dataset into place: \(String(cString: strerror(errno)))")
        }
    }

    public func abandon() { try? FileManager.default.removeItem(atPath: staging) }

    /// Partial folders of runs whose process no longer exists.
    static func removeAbandoned(parent: String, name: String) {
        let prefix = ".\(name).partial-"
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? [] where entry.hasPrefix(prefix) {
            guard let pid = Int32(entry.dropFirst(prefix.count)) else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { try? FileManager.default.removeItem(atPath: "\(parent)/\(entry)") }
        }
    }
}
