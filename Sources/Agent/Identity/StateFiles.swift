#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Small POSIX file helpers for the agent's state directory (the agent links no Foundation).
enum StateFiles {
    /// The whole file, or nil when it cannot be read.
    static func read(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { return nil }
            if n == 0 { return result }
            result.append(contentsOf: chunk[0..<n])
        }
    }

    /// The file as UTF-8 text.
    static func readText(_ path: String) -> String? {
        read(path).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Replaces the file atomically (write to a temporary file with `mode`, fsync, rename).
    static func write(_ bytes: [UInt8], to path: String, mode: mode_t) throws(AgentError) {
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw AgentError.io("cannot write \(path): \(lastError())") }
        fchmod(fd, mode)
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                close(fd)
                throw AgentError.io("cannot write \(path): \(lastError())")
            }
            offset += n
        }
        fsync(fd)
        close(fd)
        guard rename(temporary, path) == 0 else { throw AgentError.io("cannot replace \(path): \(lastError())") }
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

    static func lastError() -> String { String(cString: strerror(errno)) }
}

/// Errors of the agent that reach people: a code and a message.
public struct AgentError: Error, Sendable, CustomStringConvertible {
    /// Stable code (`config`, `io`, `tls`, `refused`).
    public var code: String
    /// Message for people.
    public var message: String
    /// Creates an error.
    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }
    public var description: String { message }

    static func io(_ message: String) -> AgentError { .init(code: "io", message: message) }
    static func config(_ message: String) -> AgentError { .init(code: "config", message: message) }
    static func tls(_ message: String) -> AgentError { .init(code: "tls", message: message) }
}
