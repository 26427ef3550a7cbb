/// What a backup target serves: restic's REST protocol (v2) over mutual TLS with the homelab's CA,
/// on its own port, from a folder of repositories, to the certificates the controller names.
public struct BackupTargetSettings: Codable, Sendable {
    /// The folder holding the repositories (`PATH/apps/NAME`, `PATH/controller`).
    public var path: String
    /// The REST port (7447 by default).
    public var port: Int
    /// The address to listen on (`0.0.0.0` by default).
    public var listen: String
    /// The server certificate (PEM) the CA issued for this device's own key and its addresses.
    public var certificate: String
    /// Who may do what.
    public var principals: [BackupPrincipal]

    /// Creates settings.
    public init(path: String, port: Int = 7447, listen: String = "0.0.0.0", certificate: String, principals: [BackupPrincipal]) {
        self.path = path
        self.port = port
        self.listen = listen
        self.certificate = certificate
        self.principals = principals
    }
}

/// One certificate holder the target knows, by its public key.
public struct BackupPrincipal: Codable, Sendable {
    /// What a principal may do.
    public enum Role: String, Codable, Sendable {
        /// A source device: read, and create what a backup writes, in its granted repositories; delete locks only.
        case source
        /// The controller's prune identity: everything, in every repository.
        case prune
        /// A recovery identity (the recovery kit's): read every repository, create and delete locks.
        case reader
    }

    /// Lower-case hex SHA-256 of the certificate's SubjectPublicKeyInfo DER.
    public var key: String
    /// Who it is, for logs and messages (`device pi4`).
    public var name: String
    public var role: Role
    /// `source` only: the repositories it may use (`apps/vaultwarden`).
    public var repositories: [String]

    /// Creates a principal.
    public init(key: String, name: String, role: Role, repositories: [String] = []) {
        self.key = key
        self.name = name
        self.role = role
        self.repositories = repositories
    }
}

/// `backup.target.configure`: serve with these settings, or stop serving when they are nil.
public struct BackupTargetConfigure: WireRequest {
    public typealias Reply = BackupTargetStatus
    public static var messageType: String { MessageType.backupTargetConfigure }
    /// The settings; nil stops the REST server (the repositories stay on disk).
    public var settings: BackupTargetSettings?
    /// Creates the request.
    public init(settings: BackupTargetSettings?) { self.settings = settings }
}

/// What a target reports: whether it serves, and the room left on its folder's file system.
public struct BackupTargetStatus: Codable, Sendable, Equatable {
    public var serving: Bool
    public var path: String?
    public var port: Int?
    public var freeBytes: UInt64?
    public var totalBytes: UInt64?

    /// Creates a status.
    public init(serving: Bool, path: String? = nil, port: Int? = nil, freeBytes: UInt64? = nil, totalBytes: UInt64? = nil) {
        self.serving = serving
        self.path = path
        self.port = port
        self.freeBytes = freeBytes
        self.totalBytes = totalBytes
    }
}
