import FoundationEssentials

/// The one error type that crosses module and wire boundaries (agent → controller → API → CLI and
/// browser): a stable code, a message in the user's words, and what it concerns. `docs/errors.md` lists
/// every code with its HTTP status and the CLI's exit status.
public struct HomelabError: Error, Codable, Equatable, Sendable, CustomStringConvertible {
    /// Stable, machine-readable error codes. New codes may be added; receivers treat unknown ones as `internal`.
    public struct Code: StringTag {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
    }

    /// What the error concerns, for people and programs: `device`, `deployment`, `component`, `field`, `job`.
    public typealias Context = [String: String]

    /// Machine-readable code.
    public var code: Code
    /// Human-readable message: what went wrong and, where it helps, what to do.
    public var message: String
    /// What it concerns (absent when nothing in particular).
    public var context: Context?

    /// Creates an error with a code, a message and what it concerns.
    public init(_ code: Code, _ message: String, context: Context? = nil) {
        self.code = code
        self.message = message
        self.context = context?.isEmpty == true ? nil : context
    }

    /// The same error, also naming `key` = `value`.
    public func with(_ key: String, _ value: String) -> HomelabError {
        var copy = self
        copy.context = (context ?? [:]).merging([key: value]) { _, new in new }
        return copy
    }

    public var description: String { "\(message) [\(code)]" }
}

extension HomelabError.Code {
    // MARK: The wire (frames, handshake, streams)

    /// A frame's length prefix exceeds the negotiated maximum.
    public static let frameTooLarge: Self = "frame_too_large"
    /// A frame is shorter than its kind requires or has an unknown kind.
    public static let malformedFrame: Self = "malformed_frame"
    /// The connection ended inside a frame.
    public static let truncatedFrame: Self = "truncated_frame"
    /// A JSON message could not be decoded.
    public static let malformedMessage: Self = "malformed_message"
    /// The peers share no protocol version.
    public static let versionMismatch: Self = "version_mismatch"
    /// The first message was not `hello`, or `hello` came twice.
    public static let handshakeRequired: Self = "handshake_required"
    /// The request type is unknown to the receiver.
    public static let unknownType: Self = "unknown_type"
    /// A stream was used outside of its protocol (unknown id, credit overrun).
    public static let streamError: Self = "stream_error"
    /// The request timed out waiting for a reply.
    public static let timeout: Self = "timeout"
    /// The connection closed before a reply arrived.
    public static let connectionClosed: Self = "connection_closed"

    // MARK: Trust

    /// The caller is not allowed to do this (no or a wrong API token; an unauthenticated agent connection).
    public static let unauthorized: Self = "unauthorized"
    /// The caller is known but its role does not allow this.
    public static let forbidden: Self = "forbidden"
    /// The dashboard's session ended (idle, too old, or its token was revoked): sign in again.
    public static let sessionExpired: Self = "session_expired"
    /// A dashboard form without its session's CSRF secret (out of date, or from another site).
    public static let csrfFailed: Self = "csrf_failed"
    /// A state-changing dashboard request from a page of another origin.
    public static let csrfOrigin: Self = "csrf_origin"
    /// An address sent too many wrong credentials: it waits (`Retry-After`) before the next is even checked.
    public static let tooManyAttempts: Self = "too_many_attempts"
    /// The join token is unknown, used, expired or revoked.
    public static let invalidToken: Self = "invalid_token"
    /// The device certificate was revoked or the device was removed.
    public static let deviceRevoked: Self = "device_revoked"
    /// A signature or proof of possession did not verify.
    public static let badSignature: Self = "bad_signature"
    /// The receiver is at its limit (enrolling connections, failed logins); retry later.
    public static let busy: Self = "busy"

    // MARK: Requests

    /// A malformed request (a body that does not decode).
    public static let badRequest: Self = "bad_request"
    /// A name that would become a path breaks its rule (``SafeName``): `..`, `/`, a control character.
    public static let invalidName: Self = "invalid_name"
    /// A number out of its range, or a query value that is not what the field takes (``InputBounds``).
    public static let invalidValue: Self = "invalid_value"
    /// The request's head is larger than the API reads.
    public static let headersTooLarge: Self = "headers_too_large"
    /// A WebSocket route asked for without the upgrade.
    public static let upgradeRequired: Self = "upgrade_required"
    /// A request body larger than the route accepts.
    public static let payloadTooLarge: Self = "payload_too_large"
    /// The path exists but not with this method.
    public static let methodNotAllowed: Self = "method_not_allowed"
    /// Values that fail a recipe's rules; the message has one line per problem.
    public static let invalidInputs: Self = "invalid_inputs"
    /// A recipe that does not load or render; the message names file:line:column.
    public static let invalidRecipe: Self = "invalid_recipe"
    /// A stack spec (or archive) that cannot be applied; the message names the fields.
    public static let invalidSpec: Self = "invalid_spec"
    /// The object asked for does not exist.
    public static let notFound: Self = "not_found"
    /// The request conflicts with the current state (work under way, a name taken).
    public static let conflict: Self = "conflict"
    /// No device can run it (the scheduler's filters refused every candidate, or the one named).
    public static let unplaceable: Self = "unplaceable"
    /// What the request asks for needs a setting the controller runs without (a reverse proxy to expose through).
    public static let notConfigured: Self = "not_configured"

    // MARK: Devices and their work

    /// The device is not connected (and did not come back within the wait).
    public static let deviceOffline: Self = "device_offline"
    /// The device dropped its link during the request.
    public static let deviceDisconnected: Self = "device_disconnected"
    /// The device's agent failed the operation; the message is the agent's.
    public static let agentError: Self = "agent_error"
    /// The container engine failed the operation (pull, create, a dependency that never got healthy).
    public static let runtime: Self = "runtime_error"
    /// A container exited or its health check failed.
    public static let unhealthy: Self = "unhealthy"
    /// A container was not healthy within the time allowed.
    public static let healthTimeout: Self = "health_timeout"
    /// The reverse proxy refused a route change.
    public static let proxyError: Self = "proxy_error"
    /// A rollback could not undo everything; the message says what is left where.
    public static let rollbackIncomplete: Self = "rollback_incomplete"
    /// A migration moved the app past its commit point, but what follows (repointing, removing the source) was not all done.
    public static let migrationIncomplete: Self = "migration_incomplete"
    /// A deploy failed before failures were stored with their codes (kept from an older controller).
    public static let deployFailed: Self = "deploy_failed"
    /// A stored record no longer decodes (written by another version, or damaged); the message names it.
    public static let unreadableRecord: Self = "unreadable_record"
    // MARK: Alerts and insights

    /// An alert channel that cannot work; the message has one line per problem, naming the field.
    public static let invalidChannel: Self = "invalid_channel"
    /// An alert rule that cannot work; one line per problem.
    public static let invalidRule: Self = "invalid_rule"
    /// A receiver did not take a message (no 2xx, no SMTP 250); the message says what it answered.
    public static let deliveryFailed: Self = "delivery_failed"
    /// An insight that suggests no move was asked to start one.
    public static let noSuggestion: Self = "no_suggestion"

    // MARK: Volume transfers between devices

    /// A peer connection was refused: no transfer from that device is expected.
    public static let transferRefused: Self = "transfer_refused"
    /// The transfer ticket is not one the destination expects.
    public static let ticketUnknown: Self = "ticket_unknown"
    /// The transfer ticket was presented before; tickets are good for one connection.
    public static let ticketUsed: Self = "ticket_used"
    /// The transfer ticket expired before the source presented it.
    public static let ticketExpired: Self = "ticket_expired"
    /// The transfer ticket names another source device than the certificate presenting it.
    public static let ticketWrongDevice: Self = "ticket_wrong_device"
    /// What the destination wrote differs from the source's manifest.
    public static let manifestMismatch: Self = "manifest_mismatch"
    /// The destination's file system filled up during the copy.
    public static let noSpace: Self = "no_space"
    /// The destination has less free storage than the volumes need (found before copying).
    public static let insufficientStorage: Self = "insufficient_storage"
    /// The destination's peer port could not be reached (and no relay was allowed, or it failed too).
    public static let peerUnreachable: Self = "peer_unreachable"
    /// A volume to receive exists already and was not made for the same migration.
    public static let volumeExists: Self = "volume_exists"
    /// A volume holds something a transfer does not carry (a device node, a name that is not UTF-8).
    public static let unsupportedFile: Self = "unsupported_file"
    /// The transfer was cancelled (by the controller, or because a link it depended on ended).
    public static let transferCancelled: Self = "transfer_cancelled"
    /// A side of the transfer reported no progress for too long.
    public static let transferStalled: Self = "transfer_stalled"
    /// The transfer failed for a reason its message gives.
    public static let transferFailed: Self = "transfer_failed"

    // MARK: Backups

    /// restic is not installed on the device (or cannot run).
    public static let resticMissing: Self = "restic_missing"
    /// The repository does not exist yet.
    public static let repositoryMissing: Self = "repository_missing"
    /// The repository's password opens none of its keys.
    public static let repositoryWrongPassword: Self = "repository_wrong_password"
    /// Another process holds the repository's lock.
    public static let repositoryLocked: Self = "repository_locked"
    /// `restic check` found damage.
    public static let repositoryCheckFailed: Self = "repository_check_failed"
    /// The backup target's disk is full.
    public static let backupTargetFull: Self = "backup_target_full"
    /// The backup target refused this device's certificate for the operation.
    public static let backupAccessDenied: Self = "backup_access_denied"
    /// The backup target cannot be reached.
    public static let backupTargetUnreachable: Self = "backup_target_unreachable"
    /// Some files could not be read: the snapshot would be incomplete, so the backup failed.
    public static let backupIncomplete: Self = "backup_incomplete"
    /// restic made no headway for longer than the inactivity limit.
    public static let resticStalled: Self = "restic_stalled"
    /// restic failed otherwise.
    public static let resticFailed: Self = "restic_failed"
    /// A database dump exited non-zero (or could not start): the backup failed and made no dump snapshot.
    public static let backupDumpFailed: Self = "backup_dump_failed"
    /// A recipe's pre- or post-backup hook failed.
    public static let backupHookFailed: Self = "backup_hook_failed"
    /// The agent stopped (or was killed) during the run; the app was put back as it was when the agent started again.
    public static let backupInterrupted: Self = "backup_interrupted"
    /// A restored volume differs from the manifest taken at backup time.
    public static let restoreVerifyFailed: Self = "restore_verify_failed"
    /// The device has too little free space for what a restore would write.
    public static let restoreNoSpace: Self = "restore_no_space"
    /// The backup run asked for has no complete manifest in the repository.
    public static let backupRunIncomplete: Self = "backup_run_incomplete"
    /// Backing up needs a target named: there are several, or none.
    public static let backupTargetRequired: Self = "backup_target_required"
    /// The target is a folder local to its device: nothing but that device reaches it.
    public static let backupTargetLocal: Self = "backup_target_local"

    /// Anything else: the details are in the controller's log, never in the message.
    public static let `internal`: Self = "internal"
}

extension HomelabError {
    /// The HTTP status the API answers this error with.
    public var httpStatus: Int {
        switch code {
        case .badRequest, .malformedMessage, .invalidName, .invalidValue: 400
        case .unauthorized, .invalidToken, .badSignature, .deviceRevoked, .sessionExpired: 401
        case .forbidden, .csrfFailed, .csrfOrigin: 403
        case .notFound, .repositoryMissing, .backupRunIncomplete: 404
        case .methodNotAllowed: 405
        case .payloadTooLarge: 413
        case .upgradeRequired: 426
        case .headersTooLarge: 431
        case .conflict, .deviceOffline, .noSuggestion, .volumeExists, .repositoryLocked, .backupTargetRequired, .backupTargetLocal: 409
        case .invalidInputs, .invalidRecipe, .invalidSpec, .unplaceable, .notConfigured, .invalidChannel, .invalidRule, .unsupportedFile: 422
        case .busy, .tooManyAttempts: 429
        case .agentError, .runtime, .unhealthy, .proxyError, .rollbackIncomplete, .migrationIncomplete, .deliveryFailed: 502
        case .transferRefused, .ticketUnknown, .ticketUsed, .ticketExpired, .ticketWrongDevice, .manifestMismatch,
             .peerUnreachable, .transferFailed: 502
        case .resticMissing, .repositoryWrongPassword, .repositoryCheckFailed, .backupAccessDenied, .backupIncomplete, .resticStalled,
             .resticFailed, .backupDumpFailed, .backupHookFailed, .restoreVerifyFailed: 502
        case .deviceDisconnected, .transferCancelled, .backupTargetUnreachable, .backupInterrupted: 503
        case .timeout, .healthTimeout, .transferStalled: 504
        case .noSpace, .insufficientStorage, .backupTargetFull, .restoreNoSpace: 507
        default: 500
        }
    }

    /// A resource that does not exist.
    public static func notFound(_ message: String, context: Context? = nil) -> Self { .init(.notFound, message, context: context) }
    /// A request that conflicts with the current state.
    public static func conflict(_ message: String, context: Context? = nil) -> Self { .init(.conflict, message, context: context) }
    /// A malformed request.
    public static func badRequest(_ message: String, field: String? = nil) -> Self {
        .init(.badRequest, message, context: field.map { ["field": $0] })
    }
    /// Values that fail a recipe's rules, one line per problem.
    public static func invalidInputs(_ message: String) -> Self { .init(.invalidInputs, message) }
    /// A missing or wrong API token.
    public static func unauthorized(_ message: String) -> Self { .init(.unauthorized, message) }
    /// A valid token whose role does not allow the call.
    public static func forbidden(_ message: String) -> Self { .init(.forbidden, message) }
    /// A name that would become a path and breaks its rule.
    public static func invalidName(_ error: SafeNameError) -> Self { .init(.invalidName, error.description) }
    /// A number out of its bound, naming its field.
    public static func invalidValue(_ error: InputBoundError) -> Self { .init(.invalidValue, error.message, context: ["field": error.field]) }
    /// A request body over the route's limit.
    public static func payloadTooLarge(limit: Int?) -> Self {
        .init(.payloadTooLarge, "the request body is larger than this route accepts" + (limit.map { " (\($0 >> 10) KiB)" } ?? ""))
    }
    /// A failure whose details belong in the log, not in front of people.
    public static func `internal`(_ message: String = "internal error: the controller's log has the details") -> Self { .init(.internal, message) }

    /// The device's link is down (it went offline, or dropped the connection during the request).
    public var isDeviceUnreachable: Bool { code == .deviceDisconnected || code == .deviceOffline }
}
