#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Lists files under a folder without Foundation, following symlinks but never looping:
/// each folder is entered once, identified by device and inode.
struct DirectoryWalker {
    struct FolderID: Hashable { var device: UInt64; var inode: UInt64 }

    /// Folders that could not be opened, with the reason.
    private(set) var failures: [FileIOError] = []
    private var visited: Set<FolderID> = []

    /// Calls `onFile(path, name)` for every regular file (or symlink to one) under `folder`
    /// whose name passes `wants`, recursing when `recursive`. Names starting with "." are
    /// skipped, like Python's glob (macOS "._x.jpg" shadows are not images).
    mutating func walk(_ folder: RawPath, recursive: Bool,
                       wants: (ArraySlice<UInt8>) -> Bool,
                       onFile: (RawPath) -> Void) {
        // Loop protection is per traversal: two splits may list the same folder.
        visited.removeAll(keepingCapacity: true)
        descend(folder, recursive: recursive, wants: wants, onFile: onFile)
    }

    private mutating func descend(_ folder: RawPath, recursive: Bool,
                                  wants: (ArraySlice<UInt8>) -> Bool,
                                  onFile: (RawPath) -> Void) {
        guard let dir = folder.withCString({ opendir($0) }) else {
            failures.append(FileIOError(folder, errno: errno))
            return
        }
        defer { closedir(dir) }
        var info = stat()
        if fstat(dirfd(dir), &info) == 0 {
            let id = FolderID(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
            guard visited.insert(id).inserted else { return }
        }
        var subfolders: [RawPath] = []
        var prefix = folder.bytes
        if prefix.last != UInt8(ascii: "/") { prefix.append(UInt8(ascii: "/")) }
        while let entry = readdir(dir) {
            let type = entry.pointee.d_type
            var path = prefix
            let nameStart = path.count
            withUnsafeBytes(of: &entry.pointee.d_name) { raw in
                let name = raw.prefix(while: { $0 != 0 })
                path.append(contentsOf: name)
            }
            let name = path[nameStart...]
            if name.first == UInt8(ascii: ".") { continue }
            var isFile = type == UInt8(DT_REG)
            var isFolder = type == UInt8(DT_DIR)
            if type == UInt8(DT_LNK) || type == UInt8(DT_UNKNOWN) {
                switch FileIO.kind(of: RawPath(bytes: path)) {
                case .file: isFile = true
                case .directory: isFolder = true
                default: break
                }
            }
            if isFile {
                if wants(name) { onFile(RawPath(bytes: path)) }
            } else if isFolder && recursive {
                subfolders.append(RawPath(bytes: path))
            }
        }
        for subfolder in subfolders {
            descend(subfolder, recursive: true, wants: wants, onFile: onFile)
        }
    }
}
