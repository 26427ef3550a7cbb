import FoundationEssentials

/// `POST /v1/bootstraps`: install (or upgrade) an agent on a host over SSH. Credentials are used for
/// this session only and never stored; `privateKeyPath` is stored only with `saveKeyReference`.
public struct BootstrapRequest: Codable, Equatable, Sendable {
    /// Address or name of the host.
    public var host: String
    /// SSH port (22).
    public var port: Int?
    /// SSH user (root).
    public var user: String?
    /// Password authentication.
    public var password: String?
    /// A private key (OpenSSH or PEM text).
    public var privateKey: String?
    /// A private key file on the controller's machine.
    public var privateKeyPath: String?
    /// The private key's passphrase.
    public var passphrase: String?
    /// Run the installation through `sudo -n` (the user is not root).
    public var sudo: Bool?
    /// Device name (default: the host's own name).
    public var name: String?
    /// Group label of the device (`group=…` through the join token).
    public var group: String?
    /// The host key's `SHA256:` fingerprint the user accepts when the controller does not know the host yet.
    public var acceptHostKey: String?
    /// Install Docker from the distribution's packages when it is missing.
    public var installDocker: Bool?
    /// Agent address of the controller the agent dials (`host:port`); default: the controller's address
    /// as the host sees it on the SSH connection, and its agent port.
    public var controller: String?
    /// Keep `privateKeyPath` (a reference, never the key) for this device's later SSH operations.
    public var saveKeyReference: Bool?
    /// Seconds to wait for the agent to enroll (default 60).
    public var enrollTimeoutSeconds: Double?

    /// Creates a request.
    public init(host: String, port: Int? = nil, user: String? = nil, password: String? = nil, privateKey: String? = nil,
                privateKeyPath: String? = nil, passphrase: String? = nil, sudo: Bool? = nil, name: String? = nil, group: String? = nil,
                acceptHostKey: String? = nil, installDocker: Bool? = nil, controller: String? = nil, saveKeyReference: Bool? = nil,
                enrollTimeoutSeconds: Double? = nil) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.privateKey = privateKey
        self.privateKeyPath = privateKeyPath
        self.passphrase = passphrase
        self.sudo = sudo
        self.name = name
        self.group = group
        self.acceptHostKey = acceptHostKey
        self.installDocker = installDocker
        self.controller = controller
        self.saveKeyReference = saveKeyReference
        self.enrollTimeoutSeconds = enrollTimeoutSeconds
    }
}

/// `POST /v1/devices/{name}/uninstall`: remove the agent over SSH. Host, port and user default to
/// those of the device's bootstrap.
public struct UninstallRequest: Codable, Equatable, Sendable {
    /// Address or name of the host (default: where the device was bootstrapped, else its address).
    public var host: String?
    /// SSH port.
    public var port: Int?
    /// SSH user.
    public var user: String?
    /// Password authentication.
    public var password: String?
    /// A private key (OpenSSH or PEM text).
    public var privateKey: String?
    /// A private key file on the controller's machine (default: the saved reference, if any).
    public var privateKeyPath: String?
    /// The private key's passphrase.
    public var passphrase: String?
    /// Run through `sudo -n`.
    public var sudo: Bool?
    /// Accept an unknown host key with this fingerprint.
    public var acceptHostKey: String?
    /// Remove the device's stacks (apps) first; their volumes stay.
    public var removeApps: Bool?

    /// Creates a request.
    public init(host: String? = nil, port: Int? = nil, user: String? = nil, password: String? = nil, privateKey: String? = nil,
                privateKeyPath: String? = nil, passphrase: String? = nil, sudo: Bool? = nil, acceptHostKey: String? = nil, removeApps: Bool? = nil) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.privateKey = privateKey
        self.privateKeyPath = privateKeyPath
        self.passphrase = passphrase
        self.sudo = sudo
        self.acceptHostKey = acceptHostKey
        self.removeApps = removeApps
    }
}

/// One step of a bootstrap as it happened.
public struct BootstrapStep: Codable, Equatable, Sendable {
    /// `connect`, `authenticate`, `detect`, `docker`, `upload`, `configure`, `start`, `enroll` (install);
    /// `connect`, `authenticate`, `apps`, `remove` (uninstall).
    public var step: String
    /// `started`, `done`, `failed`, `skipped`.
    public var status: String
    /// What happened, for people.
    public var message: String
    /// When.
    public var time: Date

    /// Creates a step.
    public init(step: String, status: String, message: String, time: Date) {
        self.step = step
        self.status = status
        self.message = message
        self.time = time
    }
}

/// Why a bootstrap failed: a stable code and a message.
public struct BootstrapFailure: Codable, Equatable, Sendable {
    /// `connect_failed`, `unknown_host_key`, `host_key_changed`, `authentication_failed`, `sudo_required`,
    /// `unsupported_architecture`, `agent_binary_missing`, `name_taken`, `command_failed`, `checksum_mismatch`, `enroll_timeout`.
    public var code: String
    /// Message for people.
    public var message: String
    /// The host key offered, with `unknown_host_key` and `host_key_changed`.
    public var hostKeyFingerprint: String?

    /// The failure for an error that is not one of the bootstrap's own.
    public init(_ error: HomelabError) { self.init(code: error.code.rawValue, message: error.message) }

    /// Creates a failure.
    public init(code: String, message: String, hostKeyFingerprint: String? = nil) {
        self.code = code
        self.message = message
        self.hostKeyFingerprint = hostKeyFingerprint
    }
}

/// Where a bootstrap stands.
public enum BootstrapState: String, Codable, Sendable {
    case running, succeeded, failed
}

/// A bootstrap (install or uninstall) as `POST /v1/bootstraps` and `GET /v1/bootstraps/{id}` answer it.
public struct BootstrapResource: Codable, Equatable, Sendable {
    /// Operation id.
    public var id: String
    /// `install` or `uninstall`.
    public var kind: String
    /// The host.
    public var host: String
    /// SSH port.
    public var port: Int
    /// SSH user.
    public var user: String
    /// Running, succeeded or failed.
    public var state: BootstrapState
    /// Every step so far.
    public var steps: [BootstrapStep]
    /// The device name (once known).
    public var device: String?
    /// The device id once enrolled.
    public var deviceID: String?
    /// An agent was already installed there: its binary was replaced and the identity kept.
    public var upgraded: Bool
    /// Architecture (`uname -m`) and OS found.
    public var architecture: String?
    /// Operating system (`PRETTY_NAME` of /etc/os-release).
    public var os: String?
    /// systemd unit, or the init script fallback.
    public var serviceManager: String?
    /// Why it failed.
    public var failure: BootstrapFailure?
    /// When it started.
    public var startedAt: Date
    /// When it ended.
    public var finishedAt: Date?

    /// Creates a resource.
    public init(id: String, kind: String, host: String, port: Int, user: String, state: BootstrapState = .running, steps: [BootstrapStep] = [],
                device: String? = nil, deviceID: String? = nil, upgraded: Bool = false, architecture: String? = nil, os: String? = nil,
                serviceManager: String? = nil, failure: BootstrapFailure? = nil, startedAt: Date, finishedAt: Date? = nil) {
        self.id = id
        self.kind = kind
        self.host = host
        self.port = port
        self.user = user
        self.state = state
        self.steps = steps
        self.device = device
        self.deviceID = deviceID
        self.upgraded = upgraded
        self.architecture = architecture
        self.os = os
        self.serviceManager = serviceManager
        self.failure = failure
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }
}

/// The body of a `bootstrap.progress` event.
public struct BootstrapProgress: Codable, Equatable, Sendable {
    /// Operation id.
    public var id: String
    /// The host.
    public var host: String
    /// The step that moved.
    public var step: BootstrapStep
    /// The operation's state after it.
    public var state: BootstrapState

    /// Creates a progress event body.
    public init(id: String, host: String, step: BootstrapStep, state: BootstrapState) {
        self.id = id
        self.host = host
        self.step = step
        self.state = state
    }
}

/// A host key the controller knows (`GET /v1/known-hosts`).
public struct KnownHostResource: Codable, Equatable, Sendable {
    /// Host as given to `devices add`.
    public var host: String
    /// SSH port.
    public var port: Int
    /// Key type (`ssh-ed25519`, …).
    public var keyType: String
    /// `SHA256:` fingerprint.
    public var fingerprint: String
    /// When it was accepted.
    public var addedAt: Date

    /// Creates a resource.
    public init(host: String, port: Int, keyType: String, fingerprint: String, addedAt: Date) {
        self.host = host
        self.port = port
        self.keyType = keyType
        self.fingerprint = fingerprint
        self.addedAt = addedAt
    }
}
