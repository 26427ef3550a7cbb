import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Why a file operation on a repository folder failed, as the HTTP status restic's REST protocol gives it.
struct FolderError: Error, Sendable {
    /// 400 (content and name differ), 403 (exists), 404, 500, 507 (disk full).
    var status: Int
    var message: String

    /// An `errno` of an operation on `path`: a full disk is 507, a missing file 404, anything else 500.
    static func posix(_ code: Int32, _ what: String, _ path: String) -> FolderError {
        let status = switch code {
        case ENOSPC, EDQUOT: 507
        case ENOENT: 404
        default: 500
        }
        return FolderError(status: status, message: "\(what) \(path): \(String(cString: strerror(code)))")
    }
}

/// The repositories of a backup target on disk, in restic's own local layout (`config`, `keys/`,
/// `locks/`, `snapshots/`, `index/`, `data/00…ff/`), so a folder can also be opened with plain
/// `restic -r PATH`. Blocking POSIX calls: callers run them on the thread pool.
struct RepositoryFolder: Sendable {
    /// The folder holding every repository.
    let root: String

    /// Files are written 0600 and folders 0700, as rest-server does.
    static let fileMode: mode_t = 0o600, folderMode: mode_t = 0o700

    /// The repository's folder.
    func folder(_ repository: String) -> String { root + "/" + repository }

    /// Where a route's file lives.
    func path(_ route: RESTRoute) -> String {
        let base = folder(route.repository)
        switch route.target {
        case .repository: return base
        case .config: return base + "/config"
        case .listing(let type): return base + "/" + type.rawValue
        case .file(.data, let name): return base + "/data/" + name.prefix(2) + "/" + name
        case .file(let type, let name): return base + "/" + type.rawValue + "/" + name
        }
    }

    /// Makes the repository's folders (restic's `POST /?create=true`); existing ones are kept.
    func create(_ repository: String) throws(FolderError) {
        let base = folder(repository)
        try Self.makeFolders(base)
        for type in RESTRoute.FileType.allCases { try Self.makeFolder(base + "/" + type.rawValue) }
        for index in 0..<256 {
            let digits = Array("0123456789abcdef")
            try Self.makeFolder(base + "/data/" + String([digits[index >> 4], digits[index & 15]]))
        }
    }

    /// The size of a regular file, or nil when there is none.
    func size(_ path: String) -> UInt64? {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return UInt64(info.st_size)
    }

    /// The files of one type with their sizes; a missing folder is an empty list (restic 0.14 fails on
    /// anything but 200 for a listing). Names that are not restic's (temporary files) are left out.
    func list(_ repository: String, _ type: RESTRoute.FileType) throws(FolderError) -> [(name: String, size: UInt64)] {
        let base = folder(repository) + "/" + type.rawValue
        guard type == .data else { return try Self.files(in: base) }
        var all: [(name: String, size: UInt64)] = []
        for sub in try Self.entries(of: base) where sub.utf8.count == 2 {
            all += try Self.files(in: base + "/" + sub)
        }
        return all
    }

    /// Removes a file; one already gone counts as removed (restic retries deletes).
    func remove(_ path: String) throws(FolderError) {
        guard unlink(path) == 0 || errno == ENOENT else { throw .posix(errno, "cannot remove", path) }
    }

    /// Reads up to `count` bytes at `offset`.
    func read(_ fd: Int32, offset: UInt64, count: Int) throws(FolderError) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: count)
        var failure: Int32 = 0
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { pointer in
            var n: Int
            repeat { n = pread(fd, pointer.baseAddress, count, off_t(offset)) } while n < 0 && errno == EINTR
            if n < 0 { failure = errno }
            return max(n, 0)
        }
        if failure != 0 { throw .posix(failure, "cannot read", "a repository file") }
        return buffer
    }

    // MARK: Writing

    /// A file being written: a temporary file beside its final name.
    struct PendingFile: Sendable {
        let fd: Int32
        let temporary: String
        let final: String
    }

    /// Starts writing the file of `route`: 403 when it exists already, whoever asks.
    func begin(_ route: RESTRoute) throws(FolderError) -> PendingFile {
        let final = path(route)
        if access(final, F_OK) == 0 { throw FolderError(status: 403, message: "\(final) exists; files of a repository are never replaced") }
        let directory = String(final[..<(final.lastIndex(of: "/") ?? final.endIndex)])
        try Self.makeFolders(directory)
        let temporary = final + ".tmp-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, Self.fileMode)
        guard fd >= 0 else { throw .posix(errno, "cannot create", temporary) }
        return PendingFile(fd: fd, temporary: temporary, final: final)
    }

    /// Appends `bytes` to a pending file.
    func write(_ file: PendingFile, _ bytes: ByteBuffer) throws(FolderError) {
        var offset = 0
        let count = bytes.readableBytes
        while offset < count {
            let n = bytes.withUnsafeReadableBytes { pointer in Glibc.write(file.fd, pointer.baseAddress! + offset, count - offset) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw .posix(errno, "cannot write", file.temporary) }
            offset += n
        }
    }

    /// Makes a pending file durable under its final name: fsync, link (which fails when the name
    /// was taken meanwhile, so nothing is ever replaced), then fsync the folder.
    func commit(_ file: PendingFile) throws(FolderError) {
        defer { unlink(file.temporary) }
        guard fsync(file.fd) == 0 else {
            let code = errno
            close(file.fd)
            throw .posix(code, "cannot flush", file.temporary)
        }
        close(file.fd)
        guard link(file.temporary, file.final) == 0 else {
            if errno == EEXIST { throw FolderError(status: 403, message: "\(file.final) exists; files of a repository are never replaced") }
            throw .posix(errno, "cannot store", file.final)
        }
        let directory = String(file.final[..<(file.final.lastIndex(of: "/") ?? file.final.endIndex)])
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw .posix(errno, "cannot open", directory) }
        defer { close(fd) }
        guard fsync(fd) == 0 || errno == EINVAL else { throw .posix(errno, "cannot flush", directory) }
    }

    /// Drops a pending file (a failed or refused upload).
    func abandon(_ file: PendingFile) {
        close(file.fd)
        unlink(file.temporary)
    }

    /// Removes the temporary files of uploads a stopped agent left (called before serving, when no upload runs).
    func removeTemporaryFiles() {
        for repository in Self.repositories(under: root) {
            for type in RESTRoute.FileType.allCases {
                let base = folder(repository) + "/" + type.rawValue
                let folders = type == .data ? (SystemFiles.list(base) ?? []).map { base + "/" + $0 } : [base]
                for folder in folders {
                    for name in SystemFiles.list(folder) ?? [] where name.contains(".tmp-") { unlink(folder + "/" + name) }
                }
            }
        }
    }

    /// The repositories under `root`: folders holding a `config`, one or two levels down.
    static func repositories(under root: String) -> [String] {
        var found: [String] = []
        for first in SystemFiles.list(root) ?? [] {
            if access(root + "/" + first + "/config", F_OK) == 0 { found.append(first) }
            for second in SystemFiles.list(root + "/" + first) ?? [] where access(root + "/" + first + "/" + second + "/config", F_OK) == 0 {
                found.append(first + "/" + second)
            }
        }
        return found
    }

    // MARK: Folders

    /// The room left on the folder's file system, and its size.
    func space() -> (free: UInt64, total: UInt64)? {
        var info = statvfs()
        guard statvfs(root, &info) == 0 else { return nil }
        return (UInt64(info.f_bavail) * UInt64(info.f_frsize), UInt64(info.f_blocks) * UInt64(info.f_frsize))
    }

    static func makeFolder(_ path: String) throws(FolderError) {
        guard mkdir(path, folderMode) == 0 || errno == EEXIST else { throw .posix(errno, "cannot create", path) }
    }

    static func makeFolders(_ path: String) throws(FolderError) {
        var current = ""
        for component in path.split(separator: "/") {
            current += "/" + component
            try makeFolder(current)
        }
    }

    private static func entries(of folder: String) throws(FolderError) -> [String] {
        if let names = SystemFiles.list(folder) { return names }
        if errno == ENOENT { return [] }
        throw .posix(errno, "cannot list", folder)
    }

    private static func files(in folder: String) throws(FolderError) -> [(name: String, size: UInt64)] {
        try entries(of: folder).filter(RESTRoute.isObjectName).compactMap { name in
            var info = stat()
            guard stat(folder + "/" + name, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
            return (name, UInt64(info.st_size))
        }
    }
}
