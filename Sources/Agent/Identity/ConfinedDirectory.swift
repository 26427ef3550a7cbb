import Protocol

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A folder that files are written into by relative path and never outside it: the path must be a
/// ``SafeName/Kind/fileKey``, and every folder on the way is opened relative to its parent with
/// `O_NOFOLLOW`, so neither `..` nor a symlink planted inside (by a container that mounts the folder, say)
/// leads out, and no other process can swap a folder for a link between a check and the write.
struct ConfinedDirectory {
    /// The folder, which must not itself be a symbolic link.
    let root: String

    /// Writes `bytes` to `relativePath` (folders on the way made 0700) atomically, with `mode`.
    func write(_ bytes: [UInt8], to relativePath: String, mode: mode_t) throws(AgentError) {
        do {
            try SafeName.check(relativePath, .fileKey)
        } catch {
            throw AgentError(code: "invalid_name", message: error.description)
        }
        var parts = relativePath.split(separator: "/").map(String.init)
        let name = parts.removeLast()
        var directory = try open(root, relativeTo: AT_FDCWD, shown: root)
        defer { close(directory) }
        var shown = root
        for part in parts {
            shown += "/" + part
            if mkdirat(directory, part, 0o700) != 0 && errno != EEXIST {
                throw AgentError.io("cannot create \(shown): \(StateFiles.lastError())")
            }
            let next = try open(part, relativeTo: directory, shown: shown)
            close(directory)
            directory = next
        }
        try Self.writeFile(bytes, named: name, in: directory, shown: shown + "/" + name, mode: mode)
    }

    private func open(_ path: String, relativeTo parent: Int32, shown: String) throws(AgentError) -> Int32 {
        let fd = openat(parent, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ELOOP || errno == ENOTDIR {
                throw AgentError(code: "invalid_name", message: "\(shown) is a symbolic link or not a folder; refusing to write through it")
            }
            throw AgentError.io("cannot open \(shown): \(StateFiles.lastError())")
        }
        return fd
    }

    /// Writes a temporary file beside the target and renames it over the target: a symlink at the target's
    /// name is replaced, never followed.
    private static func writeFile(_ bytes: [UInt8], named name: String, in directory: Int32, shown: String, mode: mode_t) throws(AgentError) {
        let temporary = ".\(name).tmp"
        unlinkat(directory, temporary, 0)
        let fd = openat(directory, temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard fd >= 0 else { throw AgentError.io("cannot write \(shown): \(StateFiles.lastError())") }
        do {
            try StateFiles.writeAll(bytes, to: fd, mode: mode, shown: shown)
        } catch {
            unlinkat(directory, temporary, 0)
            throw error
        }
        guard renameat(directory, temporary, directory, name) == 0 else {
            throw AgentError.io("cannot replace \(shown): \(StateFiles.lastError())")
        }
    }
}
