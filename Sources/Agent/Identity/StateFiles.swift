#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Writes the agent's state files with POSIX calls (the agent links no Foundation); `SystemFiles` reads them.
enum StateFiles {
    /// Replaces the file atomically (write to a temporary file with `mode`, fsync, rename).
    static func write(_ bytes: [UInt8], to path: String, mode: mode_t) throws(AgentError) {
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw AgentError.io("cannot write \(path): \(lastError())") }
        do {
            try writeAll(bytes, to: fd, mode: mode, shown: path)
        } catch {
            unlink(temporary)
            throw error
        }
        guard rename(temporary, path) == 0 else { throw AgentError.io("cannot replace \(path): \(lastError())") }
    }

    /// Sets `mode` on the open file `fd`, writes all of `bytes`, syncs and closes it (also when it fails).
    static func writeAll(_ bytes: [UInt8], to fd: Int32, mode: mode_t, shown path: String) throws(AgentError) {
        defer { close(fd) }
        fchmod(fd, mode)
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw AgentError.io("cannot write \(path): \(lastError())") }
            offset += n
        }
        fsync(fd)
    }

    /// Writes UTF-8 text.
    static func write(_ text: String, to path: String, mode: mode_t) throws(AgentError) {
        try write(Array(text.utf8), to: path, mode: mode)
    }

    /// Removes a file if present.
    static func remove(_ path: String) {
        unlink(path)
    }

    /// Creates a directory and its parents with `mode`.
    static func makeDirectory(_ path: String, mode: mode_t) throws(AgentError) {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, mode) != 0 && errno != EEXIST {
                throw AgentError.io("cannot create \(current): \(lastError())")
            }
        }
    }

    /// Sets the mode of an existing file or directory.
    static func restrict(_ path: String, mode: mode_t) throws(AgentError) {
        guard chmod(path, mode) == 0 else { throw AgentError.io("cannot set the mode of \(path): \(lastError())") }
    }

    static func lastError() -> String { String(cString: strerror(errno)) }
}
