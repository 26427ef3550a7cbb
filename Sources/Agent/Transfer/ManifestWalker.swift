import CAgentSystem
import Crypto
import FoundationEssentials
import NIOPosix
import Protocol
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Walks a volume's directory on the host and lists what it holds as ``ManifestEntry``s: the root,
/// then depth first with names in byte order, never following a symlink (every step is `openat`
/// with `O_NOFOLLOW` from the directory above). Sockets are left out (a program makes them anew);
/// device nodes and names that are not UTF-8 end the walk with `unsupported_file`.
struct ManifestWalker {
    /// What a walk found.
    struct Result: Sendable {
        /// The entries, in manifest order.
        var entries: [ManifestEntry]
        /// Bytes the volume occupies on disk (allocated blocks).
        var allocatedBytes: UInt64
        /// Bytes of file content, holes included, each hard-linked file once.
        var contentBytes: UInt64
    }

    /// Extended attributes a manifest lists (those ``GNUTar`` carries, and POSIX ACLs).
    static func carries(xattr name: String) -> Bool {
        name.hasPrefix("user.") || name == "security.capability"
            || name == "system.posix_acl_access" || name == "system.posix_acl_default"
    }

    /// Whether file contents are hashed (a manifest) or only measured (a size).
    let hashing: Bool
    /// Checked between reads: a cancelled walk stops with `CancellationError`.
    let isCancelled: @Sendable () -> Bool
    private var result = Result(entries: [], allocatedBytes: 0, contentBytes: 0)
    private var firstPathOfInode: [Inode: ManifestEntry] = [:]
    private var buffer = [UInt8](repeating: 0, count: 1 << 20)

    private struct Inode: Hashable {
        var device: UInt64
        var number: UInt64
    }

    /// Walks `root` (a directory) on a thread of NIO's pool, so no task thread blocks on the disk.
    static func walk(_ root: String, hashing: Bool) async throws -> Result {
        let cancelled = Atomic<Bool>(false)
        return try await withTaskCancellationHandler {
            try await NIOThreadPool.singleton.runIfActive {
                var walker = ManifestWalker(hashing: hashing, isCancelled: { cancelled.load(ordering: .relaxed) })
                return try walker.walk(root)
            }
        } onCancel: {
            cancelled.store(true, ordering: .relaxed)
        }
    }

    private init(hashing: Bool, isCancelled: @escaping @Sendable () -> Bool) {
        self.hashing = hashing
        self.isCancelled = isCancelled
    }

    private mutating func walk(_ root: String) throws -> Result {
        let descriptor = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else { throw Self.failure("cannot open \(root)") }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw Self.failure("cannot stat \(root)") }
        try visitDirectory(descriptor, path: ".", info: info)
        return result
    }

    private mutating func visitDirectory(_ descriptor: Int32, path: String, info: stat) throws {
        if isCancelled() { throw CancellationError() }
        result.entries.append(entry(path, .directory, info, xattrs: try Self.xattrs(descriptor)))
        result.allocatedBytes += UInt64(info.st_blocks) * 512
        for name in try Self.names(descriptor) {
            guard let text = String(validating: name, as: UTF8.self) else {
                let shown = String(decoding: name, as: UTF8.self)
                throw HomelabError(.unsupportedFile, "\(Self.join(path, shown)) has a name that is not UTF-8; rename it to move this volume")
            }
            try visit(descriptor, name: name, path: Self.join(path, text))
        }
    }

    private mutating func visit(_ parent: Int32, name: [UInt8], path: String) throws {
        var info = stat()
        let cName = name.map { CChar(bitPattern: $0) } + [0]
        guard fstatat(parent, cName, &info, AT_SYMLINK_NOFOLLOW) == 0 else {
            // Gone since the listing (a live copy): the next copy sees what is there then.
            if errno == ENOENT { return }
            throw Self.failure("cannot stat \(path)")
        }
        switch info.st_mode & S_IFMT {
        case S_IFDIR:
            let descriptor = openat(parent, cName, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard descriptor >= 0 else { throw Self.failure("cannot open \(path)") }
            defer { close(descriptor) }
            try visitDirectory(descriptor, path: path, info: info)
        case S_IFREG:
            try visitFile(parent, cName, path: path, info: info)
        case S_IFLNK:
            var target = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let count = readlinkat(parent, cName, &target, target.count - 1)
            guard count >= 0 else { throw Self.failure("cannot read the link \(path)") }
            var link = entry(path, .symlink, info, xattrs: nil)
            link.target = String(decoding: target[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            result.entries.append(link)
        case S_IFIFO:
            result.entries.append(entry(path, .fifo, info, xattrs: nil))
        case S_IFCHR, S_IFBLK:
            throw HomelabError(.unsupportedFile, "\(path) is a device node; device nodes are not moved (a container makes its own)")
        default:
            return  // a socket: made anew by whatever listens on it
        }
    }

    private mutating func visitFile(_ parent: Int32, _ name: [CChar], path: String, info: stat) throws {
        let inode = Inode(device: UInt64(info.st_dev), number: UInt64(info.st_ino))
        var file = entry(path, .file, info, xattrs: nil)
        file.size = UInt64(info.st_size)
        if info.st_nlink > 1, let first = firstPathOfInode[inode] {
            file.link = first.path
            file.sha256 = first.sha256
            file.xattrs = first.xattrs
            result.entries.append(file)
            return
        }
        // O_NONBLOCK: a file swapped for a FIFO since the stat must not hang the walk.
        let descriptor = openat(parent, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else {
            if errno == ENOENT { return }
            throw Self.failure("cannot open \(path)")
        }
        defer { close(descriptor) }
        file.xattrs = try Self.xattrs(descriptor)
        if hashing { file.sha256 = try hash(descriptor, size: file.size, path: path) }
        if info.st_nlink > 1 { firstPathOfInode[inode] = file }
        result.allocatedBytes += UInt64(info.st_blocks) * 512
        result.contentBytes += file.size
        result.entries.append(file)
    }

    /// SHA-256 of the file's bytes, holes read as zeros without reading them from disk.
    private mutating func hash(_ descriptor: Int32, size: UInt64, path: String) throws -> String {
        var sha = SHA256()
        var offset: Int64 = 0
        let end = Int64(size)
        while offset < end {
            var data = Int64(lseek(descriptor, off_t(offset), Self.seekData))
            if data < 0 { data = errno == ENXIO ? end : offset }  // ENXIO: only a hole is left
            try feedZeros(&sha, count: data - offset)
            offset = data
            guard offset < end else { break }
            var hole = Int64(lseek(descriptor, off_t(offset), Self.seekHole))
            if hole < 0 { hole = end }
            while offset < min(hole, end) {
                if isCancelled() { throw CancellationError() }
                let wanted = Int(min(Int64(buffer.count), min(hole, end) - offset))
                let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, wanted, off_t(offset)) }
                guard count > 0 else {
                    if count == 0 { break }  // shrank while read (a live copy)
                    throw Self.failure("cannot read \(path)")
                }
                buffer.withUnsafeBytes { sha.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[..<count])) }
                offset += Int64(count)
            }
            if offset < min(hole, end) { break }
        }
        return sha.finalize().map { Self.hexDigits[Int($0 >> 4)] + Self.hexDigits[Int($0 & 15)] }.joined()
    }

    private func feedZeros(_ sha: inout SHA256, count: Int64) throws {
        var left = count
        while left > 0 {
            if isCancelled() { throw CancellationError() }
            let chunk = Int(min(left, Int64(Self.zeros.count)))
            Self.zeros.withUnsafeBytes { sha.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[..<chunk])) }
            left -= Int64(chunk)
        }
    }

    private func entry(_ path: String, _ kind: ManifestEntry.Kind, _ info: stat, xattrs: [String: String]?) -> ManifestEntry {
        ManifestEntry(path: path, kind: kind, mode: UInt32(info.st_mode & 0o7777), uid: info.st_uid, gid: info.st_gid,
                      mtime: Int64(info.st_mtim.tv_sec), mtimeNanoseconds: UInt32(info.st_mtim.tv_nsec), xattrs: xattrs)
    }

    // MARK: System calls

    private static let seekData: Int32 = 3, seekHole: Int32 = 4  // Linux's SEEK_DATA and SEEK_HOLE
    private static let zeros = [UInt8](repeating: 0, count: 1 << 20)
    private static let hexDigits = (0..<16).map { String("0123456789abcdef".dropFirst($0).prefix(1)) }

    private static func join(_ parent: String, _ name: String) -> String { parent == "." ? name : parent + "/" + name }

    /// The names in a directory (without `.` and `..`), in byte order.
    private static func names(_ descriptor: Int32) throws -> [[UInt8]] {
        let copy = dup(descriptor)
        guard copy >= 0, let directory = fdopendir(copy) else {
            if copy >= 0 { close(copy) }
            throw failure("cannot list a directory")
        }
        defer { closedir(directory) }
        rewinddir(directory)
        var names: [[UInt8]] = []
        while let item = readdir(directory) {
            let name = withUnsafeBytes(of: item.pointee.d_name) { raw in Array(raw.prefix { $0 != 0 }) }
            if name == [0x2e] || name == [0x2e, 0x2e] { continue }
            names.append(name)
        }
        return names.sorted { $0.lexicographicallyPrecedes($1) }
    }

    /// The extended attributes a manifest lists, values in base64; nil when there are none.
    private static func xattrs(_ descriptor: Int32) throws -> [String: String]? {
        // A file system without extended attributes (size < 0, ENOTSUP) has none to list.
        var size = agent_flistxattr(descriptor, nil, 0)
        guard size > 0 else { return nil }
        var list = [CChar](repeating: 0, count: size)
        size = agent_flistxattr(descriptor, &list, size)
        guard size > 0 else { return nil }
        var found: [String: String] = [:]
        for raw in list[..<size].split(separator: 0) {
            let name = String(decoding: raw.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            guard carries(xattr: name) else { continue }
            let cName = Array(raw) + [0]
            let length = agent_fgetxattr(descriptor, cName, nil, 0)
            guard length >= 0 else { continue }
            var value = [UInt8](repeating: 0, count: length)
            let read = agent_fgetxattr(descriptor, cName, &value, length)
            guard read >= 0 else { continue }
            found[name] = Data(value[..<read]).base64EncodedString()
        }
        return found.isEmpty ? nil : found
    }

    private static func failure(_ what: String) -> HomelabError {
        HomelabError(.runtime, "\(what): \(String(cString: strerror(errno)))")
    }
}
