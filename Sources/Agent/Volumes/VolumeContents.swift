import Crypto

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// What a volume holds, entry by entry: a stat (type, mode, owner, size, link target, hard-link
/// group) and a SHA-256 per regular file. Taken of a quiescent volume at backup and of the fresh
/// volume after a restore; equal manifests mean a byte-identical restore.
public struct VolumeContents: Codable, Equatable, Sendable {
    /// One file-system entry.
    public struct Entry: Codable, Equatable, Sendable {
        /// Relative to the volume's root; `.` is the root itself.
        public var path: String
        /// `dir`, `file`, `symlink`, `fifo`, `char` or `block` (sockets are left out: restic keeps none).
        public var type: String
        /// Permission bits with setuid, setgid and sticky.
        public var mode: UInt32
        public var uid: UInt32
        public var gid: UInt32
        /// Regular files: their size and content hash, and the modification time in seconds.
        public var size: UInt64?
        public var sha256: String?
        public var mtime: Int64?
        /// Symbolic links: the target as written.
        public var target: String?
        /// A further name of a file seen before (a hard link): that first path.
        public var link: String?
        /// Device nodes: the device number.
        public var device: UInt64?
    }

    /// Every entry, sorted by path.
    public var entries: [Entry]

    /// The bytes of the regular files.
    public var bytes: UInt64 { entries.reduce(0) { $0 + ($1.link == nil ? $1.size ?? 0 : 0) } }

    /// Walks the folder at `root` without following symbolic links.
    public static func take(of root: String) throws(AgentError) -> VolumeContents {
        var walk = Walk()
        try walk.visit(root, relative: ".")
        return VolumeContents(entries: walk.entries.sorted { $0.path < $1.path })
    }

    /// How `other` differs from this manifest (the expected one), at most `limit` lines.
    public func differences(from other: VolumeContents, limit: Int = 10) -> [String] {
        let theirs = Dictionary(other.entries.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        let ours = Set(entries.map(\.path))
        var found: [String] = []
        for entry in entries where found.count < limit {
            guard let restored = theirs[entry.path] else {
                found.append("\(entry.path): missing")
                continue
            }
            if restored != entry { found.append("\(entry.path): \(Self.describe(entry)) became \(Self.describe(restored))") }
        }
        for path in other.entries.map(\.path) where !ours.contains(path) && found.count < limit {
            found.append("\(path): not in the backup")
        }
        return found
    }

    private static func describe(_ entry: Entry) -> String {
        var parts = ["\(entry.type) \(String(entry.mode, radix: 8)) \(entry.uid):\(entry.gid)"]
        if let size = entry.size { parts.append("\(size) bytes") }
        if let sha = entry.sha256 { parts.append("sha256 \(sha.prefix(12))") }
        if let mtime = entry.mtime { parts.append("mtime \(mtime)") }
        if let target = entry.target { parts.append("-> \(target)") }
        if let link = entry.link { parts.append("= \(link)") }
        return parts.joined(separator: ", ")
    }

    /// The state of one walk.
    private struct Walk {
        var entries: [Entry] = []
        /// The first path of each (device, inode) with more than one link.
        var inodes: [UInt64: [UInt64: String]] = [:]

        mutating func visit(_ path: String, relative: String) throws(AgentError) {
            var info = stat()
            guard lstat(path, &info) == 0 else { throw AgentError.io("cannot read \(path): \(String(cString: strerror(errno)))") }
            var entry = Entry(path: relative, type: "", mode: UInt32(info.st_mode) & 0o7777, uid: info.st_uid, gid: info.st_gid)
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                entry.type = "dir"
                entries.append(entry)
                for name in try Self.names(in: path) {
                    try visit(path + "/" + name, relative: relative == "." ? name : relative + "/" + name)
                }
                return
            case S_IFREG:
                entry.type = "file"
                entry.size = UInt64(info.st_size)
                entry.mtime = Int64(info.st_mtim.tv_sec)
                if info.st_nlink > 1, let first = inodes[UInt64(info.st_dev)]?[UInt64(info.st_ino)] {
                    entry.link = first
                } else {
                    if info.st_nlink > 1 { inodes[UInt64(info.st_dev), default: [:]][UInt64(info.st_ino)] = relative }
                    entry.sha256 = try Self.hash(path)
                }
            case S_IFLNK:
                entry.type = "symlink"
                entry.target = SystemFiles.readLink(path)
            case S_IFIFO:
                entry.type = "fifo"
            case S_IFSOCK:
                // restic keeps no sockets: they are an app's runtime files, made again when it starts.
                return
            case S_IFCHR, S_IFBLK:
                entry.type = info.st_mode & S_IFMT == S_IFCHR ? "char" : "block"
                entry.device = UInt64(info.st_rdev)
            default:
                entry.type = "unknown"
            }
            entries.append(entry)
        }

        static func names(in folder: String) throws(AgentError) -> [String] {
            guard let names = SystemFiles.list(folder) else { throw AgentError.io("cannot list \(folder): \(String(cString: strerror(errno)))") }
            return names
        }

        static func hash(_ path: String) throws(AgentError) -> String {
            let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
            guard fd >= 0 else { throw AgentError.io("cannot read \(path): \(String(cString: strerror(errno)))") }
            defer { close(fd) }
            var hasher = SHA256()
            var buffer = [UInt8](repeating: 0, count: 1 << 18)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                guard count >= 0 else { throw AgentError.io("cannot read \(path): \(String(cString: strerror(errno)))") }
                if count == 0 { break }
                buffer.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
            }
            return hasher.finalize().hexString
        }
    }
}
