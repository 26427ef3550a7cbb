import NIOPosix
import Protocol

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Removes entries of a volume's directory before an incremental copy unpacks: each path's directories
/// are opened one by one with `O_NOFOLLOW` from the root, so no symlink in the volume is ever followed.
enum VolumeDeletions {
    /// Removes `paths` (relative, children before their directories) below `root`, on a thread of NIO's pool.
    static func remove(_ paths: [String], below root: String) async throws {
        guard !paths.isEmpty else { return }
        try await NIOThreadPool.singleton.runIfActive {
            let rootDescriptor = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard rootDescriptor >= 0 else { throw failure("cannot open \(root)") }
            defer { close(rootDescriptor) }
            for path in paths where path != "." {
                try remove(path, in: rootDescriptor)
            }
        }
    }

    private static func remove(_ path: String, in root: Int32) throws {
        var parts = path.split(separator: "/").map(String.init)
        let name = parts.removeLast()
        var directory = root
        var opened: [Int32] = []
        defer { opened.forEach { close($0) } }
        for part in parts {
            let next = openat(directory, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard next >= 0 else {
                if errno == ENOENT { return }  // its directory went first
                throw failure("cannot open \(part) on the way to \(path)")
            }
            opened.append(next)
            directory = next
        }
        var info = stat()
        guard fstatat(directory, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else {
            if errno == ENOENT { return }
            throw failure("cannot stat \(path)")
        }
        let flags = info.st_mode & S_IFMT == S_IFDIR ? AT_REMOVEDIR : 0
        guard unlinkat(directory, name, flags) == 0 || errno == ENOENT else { throw failure("cannot remove \(path)") }
    }

    private static func failure(_ what: String) -> HomelabError {
        HomelabError(.runtime, "\(what): \(String(cString: strerror(errno)))")
    }
}
