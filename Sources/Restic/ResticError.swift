/// Why a restic command failed: a stable code and a message in the user's words, with what restic
/// itself said last.
public struct ResticError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, as a caller decides on it.
    public enum Code: String, Sendable, Codable {
        /// No restic binary, or it cannot be started.
        case missing = "restic_missing"
        /// No repository at the location (not initialised yet).
        case repositoryMissing = "repository_missing"
        /// The password opens no key of the repository.
        case wrongPassword = "repository_wrong_password"
        /// The repository is locked by another process (restic exit 1, "unable to create lock").
        case locked = "repository_locked"
        /// The backup target answered 507: its disk is full.
        case targetFull = "backup_target_full"
        /// The backup target refused the request (403): this certificate may not do it.
        case accessDenied = "backup_access_denied"
        /// The backup target could not be reached, or its TLS handshake failed.
        case unreachable = "backup_target_unreachable"
        /// Some source files could not be read (restic exit 3): the snapshot is incomplete.
        case incomplete = "backup_incomplete"
        /// restic showed no progress for longer than the inactivity limit and was stopped.
        case stalled = "restic_stalled"
        /// `check` found errors in the repository.
        case checkFailed = "repository_check_failed"
        /// Anything else restic failed with.
        case failed = "restic_failed"
    }

    /// The stable code.
    public var code: Code
    /// The message for people.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(message) [\(code.rawValue)]" }

    /// Reads what a failed restic run means from its exit status and its last error lines;
    /// `what` names the operation and the repository in the message.
    static func classify(status: Int32, errors: [String], what: String) -> ResticError {
        let said = errors.suffix(3).joined(separator: "; ")
        let text = errors.joined(separator: "\n")
        func has(_ needle: String) -> Bool { text.contains(needle) }
        let code: Code
        if has("Insufficient Storage") || has("no space left on device") {
            code = .targetFull
        } else if has("403 Forbidden") {
            code = .accessDenied
        } else if has("wrong password or no key found") {
            code = .wrongPassword
        } else if has("Is there a repository at the following location?") || has("repository does not exist") {
            code = .repositoryMissing
        } else if has("unable to create lock") || has("repository is already locked") {
            code = .locked
        } else if has("x509:") || has("tls:") || has("connection refused") || has("no route to host") || has("i/o timeout")
                    || has("no such host") || has("connection reset") {
            code = .unreachable
        } else if status == 3 {
            code = .incomplete
        } else {
            code = .failed
        }
        return ResticError(code, "\(what) failed (restic exit \(status))\(said.isEmpty ? "" : ": \(said)")")
    }
}
