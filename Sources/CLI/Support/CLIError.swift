import Foundation
import Protocol

/// An error a person reads: a stable code, a sentence, and the process exit code it ends with.
public struct CLIError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What kind of failure this is, stable for scripts and tests.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The code's text (`not_found`, `unreachable`, …).
        public var rawValue: String
        /// Creates a code from its text.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// The code's text.
        public var description: String { rawValue }

        /// The controller does not know the thing asked for (HTTP 404).
        public static let notFound = Code(rawValue: "not_found")
        /// The controller refused the token (HTTP 401).
        public static let unauthorized = Code(rawValue: "unauthorized")
        /// The controller could not be reached, or its TLS certificate did not match the pinned CA.
        public static let unreachable = Code(rawValue: "unreachable")
        /// No controller URL or token is configured.
        public static let notLoggedIn = Code(rawValue: "not_logged_in")
        /// The command line is incomplete or contradictory.
        public static let usage = Code(rawValue: "usage")
        /// The controller refused the request because of the thing's state (HTTP 409).
        public static let conflict = Code(rawValue: "conflict")
        /// The controller rejected the request as malformed (HTTP 400).
        public static let badRequest = Code(rawValue: "bad_request")
        /// The controller failed or answered something this CLI does not understand.
        public static let controller = Code(rawValue: "controller")
        /// A local file (config, CA) could not be read or written.
        public static let localFile = Code(rawValue: "local_file")
        /// The person declined a confirmation.
        public static let aborted = Code(rawValue: "aborted")
        /// Anything else.
        public static let other = Code(rawValue: "other")
    }

    /// What kind of failure this is.
    public var code: Code
    /// The sentence shown after `Error: `.
    public var message: String
    /// The exit status the process ends with (see `ExitStatus`).
    public var exitCode: Int32
    /// The controller's error, when the controller refused or failed the request: its code is shown.
    public var controller: HomelabError?

    /// Creates an error.
    public init(_ code: Code, _ message: String, exitCode: Int32) {
        self.code = code
        self.message = message
        self.exitCode = exitCode
    }

    /// The controller's error, with the exit status its code maps to.
    public init(controller error: HomelabError) {
        self.init(Code(rawValue: error.code.rawValue), error.message, exitCode: ExitStatus.of(error.code))
        self.controller = error
    }

    /// The message.
    public var description: String { message }

    /// The line printed after `Error: `: the message, and the controller's code when it comes from the controller.
    public var shown: String { controller.map { "\(message) [\($0.code)]" } ?? message }
}

/// The exit statuses of `homelab`, as the root command's help lists them.
public enum ExitStatus {
    /// Success.
    public static let success: Int32 = 0
    /// Any failure without a more specific status.
    public static let failure: Int32 = 1
    /// The controller does not know the device or token (HTTP 404).
    public static let notFound: Int32 = 3
    /// The controller refused the token (HTTP 401).
    public static let unauthorized: Int32 = 4
    /// The controller is unreachable, or its certificate does not match the pinned CA.
    public static let unreachable: Int32 = 5
    /// No controller URL or token is configured.
    public static let notLoggedIn: Int32 = 6
    /// The controller refused because of the current state (work under way, a name taken).
    public static let conflict: Int32 = 7
    /// The controller refused what was asked: a bad value, inputs or recipe, or nowhere to place it.
    public static let invalid: Int32 = 8
    /// The device it concerns is offline or dropped its link.
    public static let deviceUnreachable: Int32 = 9
    /// The work failed on a device (the agent, the engine, a health check, the proxy).
    public static let failedOnDevice: Int32 = 10
    /// Bad command line (`EX_USAGE`, argument parser's status for validation errors).
    public static let usage: Int32 = 64

    /// The exit status of a controller error code (docs/errors.md has the table).
    public static func of(_ code: HomelabError.Code) -> Int32 {
        switch code {
        case .notFound, .repositoryMissing, .backupRunIncomplete: notFound
        case .unauthorized, .forbidden: unauthorized
        case .conflict, .busy, .tooManyAttempts, .noSuggestion, .volumeExists, .repositoryLocked, .backupTargetRequired, .backupTargetLocal: conflict
        case .badRequest, .invalidName, .invalidValue, .invalidInputs, .invalidRecipe, .invalidSpec, .unplaceable, .notConfigured,
             .payloadTooLarge, .headersTooLarge, .methodNotAllowed, .invalidChannel, .invalidRule, .unsupportedFile: invalid
        case .deviceOffline, .deviceDisconnected, .timeout, .peerUnreachable, .transferCancelled, .backupTargetUnreachable, .backupInterrupted: deviceUnreachable
        case .agentError, .runtime, .unhealthy, .healthTimeout, .proxyError, .rollbackIncomplete, .migrationIncomplete: failedOnDevice
        case .transferRefused, .ticketUnknown, .ticketUsed, .ticketExpired, .ticketWrongDevice, .manifestMismatch, .noSpace,
             .insufficientStorage, .transferStalled, .transferFailed: failedOnDevice
        case .resticMissing, .repositoryWrongPassword, .repositoryCheckFailed, .backupAccessDenied, .backupIncomplete, .resticStalled, .resticFailed,
             .backupDumpFailed, .backupHookFailed, .restoreVerifyFailed, .backupTargetFull, .restoreNoSpace: failedOnDevice
        default: failure
        }
    }
}

extension CLIError {
    /// A usage error (exit 64).
    public static func usage(_ message: String) -> CLIError {
        CLIError(.usage, message, exitCode: ExitStatus.usage)
    }

    /// The error for a missing controller URL or token (exit 6).
    public static let notLoggedIn = CLIError(
        .notLoggedIn,
        "not logged in: run 'homelab login URL --token TOKEN' (or set HOMELAB_URL and HOMELAB_TOKEN)",
        exitCode: ExitStatus.notLoggedIn
    )

    /// The error for a token the controller refused (exit 4).
    public static let unauthorized = CLIError(
        .unauthorized,
        "the controller refused the token; run homelab login again",
        exitCode: ExitStatus.unauthorized
    )

    /// The error for a controller that cannot be reached (exit 5).
    public static func unreachable(_ url: ControllerURL, _ reason: String) -> CLIError {
        CLIError(.unreachable, "cannot reach the controller at \(url): \(reason)", exitCode: ExitStatus.unreachable)
    }

    /// The error for a local file that cannot be read or written (exit 1).
    public static func localFile(_ message: String) -> CLIError {
        CLIError(.localFile, message, exitCode: ExitStatus.failure)
    }

    /// The error for a declined confirmation (exit 1).
    public static func aborted(_ message: String) -> CLIError {
        CLIError(.aborted, message, exitCode: ExitStatus.failure)
    }

    /// Any error as a `CLIError`: itself when it is one, otherwise a sentence without Swift type names (exit 1).
    public static func wrapping(_ error: any Error) -> CLIError {
        if let error = error as? CLIError { return error }
        if error is DecodingError || error is EncodingError {
            return CLIError(.controller, "the controller sent an answer this homelab does not understand (\(WireCoding.describe(error)))", exitCode: ExitStatus.failure)
        }
        return CLIError(.other, "unexpected failure: \(String(describing: error))", exitCode: ExitStatus.failure)
    }
}
