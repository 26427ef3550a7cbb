import Foundation
import Protocol

#if canImport(Glibc)
import Glibc
#endif

/// The controller's state directory holds the CA key, the database and the sealing key: only the
/// controller's user may read any of it. At every start the directory and everything in it are made
/// 0700 (folders) and 0600 (files), even a directory that already existed with wider modes, and the
/// process's umask becomes 077 so that whatever is created later (SQLite's `-wal` and `-shm`) is too.
enum StateDirectory {
    /// Creates `url` when missing and narrows every mode under it; symbolic links are left as they are.
    static func secure(_ url: URL) throws {
        umask(0o077)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try narrow(url.path)
        guard let enumerator = FileManager.default.enumerator(atPath: url.path) else { return }
        while let relative = enumerator.nextObject() as? String {
            try narrow(url.path + "/" + relative)
        }
    }

    private static func narrow(_ path: String) throws {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        let mode: mode_t
        switch info.st_mode & S_IFMT {
        case S_IFDIR: mode = 0o700
        case S_IFREG: mode = 0o600
        default: return
        }
        guard info.st_mode & 0o7777 != mode else { return }
        guard chmod(path, mode) == 0 else {
            throw HomelabError.internal("cannot make \(path) private (mode \(String(mode, radix: 8))): \(String(cString: strerror(errno)))")
        }
    }
}
