import Foundation
import Protocol

#if canImport(Glibc)
import Glibc
#endif

/// Hands the admin API token made at first start to a person, never to a log: into the file the caller
/// named (0600), or onto the terminal that started the controller (`/dev/tty`, not standard output, which
/// `make run` and service managers write to log files), or, without a terminal (systemd), into
/// `<state>/initial-admin-token` (0600) for the administrator to read once and delete.
public enum AdminTokenNotice {
    /// Where the token went.
    public enum Destination: Equatable, Sendable {
        /// The file named by the caller or the state directory's `initial-admin-token`.
        case file(String)
        /// The controlling terminal.
        case terminal
    }

    /// Delivers `token`; `file` wins, then the terminal when `useTerminal`, then the state directory.
    public static func deliver(_ token: String, file: String?, stateDirectory: URL, useTerminal: Bool = true) throws -> Destination {
        if let file {
            try write(token, to: file)
            return .file(file)
        }
        if useTerminal, let terminal = FileHandle(forWritingAtPath: "/dev/tty") {
            terminal.write(Data("  admin API token (shown only this once, store it now):\n    \(token)\n".utf8))
            try? terminal.close()
            return .terminal
        }
        let path = stateDirectory.appendingPathComponent("initial-admin-token").path
        try write(token, to: path)
        return .file(path)
    }

    private static func write(_ token: String, to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw HomelabError.internal("cannot write the admin token to \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        fchmod(fd, 0o600)
        let bytes = Array((token + "\n").utf8)
        guard bytes.withUnsafeBytes({ Glibc.write(fd, $0.baseAddress, $0.count) }) == bytes.count else {
            throw HomelabError.internal("cannot write the admin token to \(path): \(String(cString: strerror(errno)))")
        }
    }
}
