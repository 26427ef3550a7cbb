import FoundationEssentials

/// `PUT /v1/backups/targets/{device}`: make a device a backup target.
public struct BackupTargetRequest: Codable, Equatable, Sendable {
    /// The folder of repositories on the device (`/srv/homelab-backups`).
    public var path: String
    /// The REST port (default 7447).
    public var port: Int?
    /// `rest` (default): the agent serves the folder to the other devices; `local`: a folder (a USB
    /// disk) only the device's own apps back up into.
    public var kind: String?

    /// Creates a request.
    public init(path: String, port: Int? = nil, kind: String? = nil) {
        self.path = path
        self.port = port
        self.kind = kind
    }
}

/// A backup target as the API shows it.
public struct BackupTargetResource: Codable, Equatable, Sendable {
    public var device: String
    /// `rest` or `local`.
    public var kind: String
    public var path: String
    public var port: Int?
    /// Whether its device is connected now.
    public var online: Bool
    /// What its agent said when last configured: serving, free and total bytes.
    public var status: BackupTargetStatus?
    /// How many repositories it holds.
    public var repositories: Int

    /// Creates a resource.
    public init(device: String, kind: String, path: String, port: Int?, online: Bool, status: BackupTargetStatus?, repositories: Int) {
        self.device = device
        self.kind = kind
        self.path = path
        self.port = port
        self.online = online
        self.status = status
        self.repositories = repositories
    }
}

/// `POST /v1/backups/recovery-kit`: everything plain `restic` needs to restore without the
/// controller: the CA, a client identity that may read every repository, and each repository's
/// location and password. The CLI encrypts it to a passphrase before it touches a disk.
public struct RecoveryKit: Codable, Equatable, Sendable {
    /// When it was made.
    public var createdAt: Date
    /// The homelab CA (PEM): restic's `--cacert`.
    public var caCertificate: String
    /// The recovery identity's certificate and key in one PEM: restic's `--tls-client-cert`.
    public var clientCertificate: String
    public var repositories: [RecoveryKitRepository]

    /// Creates a kit.
    public init(createdAt: Date, caCertificate: String, clientCertificate: String, repositories: [RecoveryKitRepository]) {
        self.createdAt = createdAt
        self.caCertificate = caCertificate
        self.clientCertificate = clientCertificate
        self.repositories = repositories
    }
}

/// One repository in a recovery kit.
public struct RecoveryKitRepository: Codable, Equatable, Sendable {
    /// `apps/vaultwarden` or `controller`.
    public var name: String
    /// The app, for app repositories.
    public var app: String?
    /// The target device's name.
    public var target: String
    /// restic's location over the network (`rest:https://ADDRESS:PORT/NAME/`); nil for a local target.
    public var url: String?
    /// The folder on the target device (for `restic -r PATH` there, or on a copy of it).
    public var path: String
    public var password: String

    /// Creates an entry.
    public init(name: String, app: String?, target: String, url: String?, path: String, password: String) {
        self.name = name
        self.app = app
        self.target = target
        self.url = url
        self.path = path
        self.password = password
    }
}
