import FoundationEssentials

/// How a device opens an app's repository for one run; the password is handed over only for it.
public struct RepositoryAccess: Codable, Sendable {
    /// restic's location: `rest:https://ADDRESS:PORT/apps/NAME/` on a target device, or a folder on this device.
    public var location: String
    public var password: String
    /// The target device's name, for messages.
    public var target: String
    /// The repository's name on the target (`apps/vaultwarden`).
    public var name: String

    /// Whether restic reaches it over REST (and so presents this device's certificate).
    public var isRemote: Bool { location.hasPrefix("rest:") }

    /// Creates access details.
    public init(location: String, password: String, target: String, name: String) {
        self.location = location
        self.password = password
        self.target = target
        self.name = name
    }
}

/// `backup.start`: back up one component's volumes (and dumps) into its app's repository.
/// Starting a run id that exists attaches to it.
public struct BackupStart: WireRequest {
    public typealias Reply = RunStatus
    public static var messageType: String { MessageType.backupStart }
    /// The run's id, made by the controller (`[a-z0-9-]`).
    public var run: String
    /// The deployment (app) name.
    public var app: String
    /// The component, for multi-component apps.
    public var component: String?
    /// The stack project on this device.
    public var project: String
    /// The device's name: the host the snapshots are recorded under.
    public var host: String
    /// The project's named volumes (their keys in the stack, not the engine's names).
    public var volumes: [String]
    /// The services in the order they start (`stop` mode stops them in reverse and starts them in this order).
    public var startOrder: [String]
    public var plan: BackupPlan
    public var repository: RepositoryAccess
    /// Seconds restic may show no headway before the run fails (default 600).
    public var inactivitySeconds: Int?

    /// Creates the request.
    public init(run: String, app: String, component: String? = nil, project: String, host: String, volumes: [String], startOrder: [String] = [],
                plan: BackupPlan, repository: RepositoryAccess, inactivitySeconds: Int? = nil) {
        self.run = run
        self.app = app
        self.component = component
        self.project = project
        self.host = host
        self.volumes = volumes
        self.startOrder = startOrder
        self.plan = plan
        self.repository = repository
        self.inactivitySeconds = inactivitySeconds
    }
}

/// `backup.restore`: restore the volumes of one backup run into fresh volumes, each labelled as
/// Compose labels a volume of `project`, and verify them against the run's manifest. The old
/// volumes are not touched.
public struct RestoreStart: WireRequest {
    public typealias Reply = RunStatus
    public static var messageType: String { MessageType.restoreStart }
    public var run: String
    public var app: String
    /// The backup run to restore (its snapshots carry `run=ID`).
    public var backupRun: String
    /// The project the fresh volumes belong to.
    public var project: String
    /// The fresh volume for each backed-up volume key; a key left out is not restored.
    public var volumes: [String: String]
    public var repository: RepositoryAccess
    public var inactivitySeconds: Int?

    /// Creates the request.
    public init(run: String, app: String, backupRun: String, project: String, volumes: [String: String], repository: RepositoryAccess,
                inactivitySeconds: Int? = nil) {
        self.run = run
        self.app = app
        self.backupRun = backupRun
        self.project = project
        self.volumes = volumes
        self.repository = repository
        self.inactivitySeconds = inactivitySeconds
    }
}

/// `backup.check`: `restic check`, reading `readData` (`5%`, `100%`) of the packs.
public struct CheckStart: WireRequest {
    public typealias Reply = RunStatus
    public static var messageType: String { MessageType.checkStart }
    public var run: String
    public var repository: RepositoryAccess
    public var readData: String?
    public var inactivitySeconds: Int?

    /// Creates the request.
    public init(run: String, repository: RepositoryAccess, readData: String? = "5%", inactivitySeconds: Int? = nil) {
        self.run = run
        self.repository = repository
        self.readData = readData
        self.inactivitySeconds = inactivitySeconds
    }
}

/// `backup.wait`: the run's state once it ends, or after `seconds` at most while it runs.
public struct RunWait: WireRequest {
    public typealias Reply = RunStatus
    public static var messageType: String { MessageType.runWait }
    public var run: String
    public var seconds: Int

    /// Creates the request.
    public init(run: String, seconds: Int = 20) {
        self.run = run
        self.seconds = seconds
    }
}

/// `backup.snapshots`: the repository's snapshots made by homelab.
public struct SnapshotList: WireRequest {
    public typealias Reply = [SnapshotInfo]
    public static var messageType: String { MessageType.snapshotList }
    public var repository: RepositoryAccess
    /// Only those of this app.
    public var app: String?

    /// Creates the request.
    public init(repository: RepositoryAccess, app: String? = nil) {
        self.repository = repository
        self.app = app
    }
}

/// One snapshot, as homelab tags it.
public struct SnapshotInfo: Codable, Sendable {
    /// restic's full id.
    public var id: String
    public var time: String
    public var host: String?
    /// The backup run it belongs to.
    public var run: String?
    /// `volume`, `dump` or `manifest`.
    public var kind: String?
    /// The volume key or dump file it holds.
    public var item: String?
    public var tags: [String]

    /// Creates a snapshot description.
    public init(id: String, time: String, host: String?, run: String?, kind: String?, item: String?, tags: [String]) {
        self.id = id
        self.time = time
        self.host = host
        self.run = run
        self.kind = kind
        self.item = item
        self.tags = tags
    }
}

/// Where a run stands, and its outcome once it ended.
public struct RunStatus: Codable, Sendable {
    public enum State: String, Codable, Sendable { case running, succeeded, failed }
    public enum Kind: String, Codable, Sendable { case backup, restore, check }

    public var run: String
    public var kind: Kind
    public var state: State
    public var progress: RunProgress?
    public var error: HomelabError?
    public var backup: BackupOutcome?
    public var restore: RestoreOutcome?
    public var startedAt: Date
    public var endedAt: Date?

    /// Creates a status.
    public init(run: String, kind: Kind, state: State, progress: RunProgress? = nil, error: HomelabError? = nil,
                backup: BackupOutcome? = nil, restore: RestoreOutcome? = nil, startedAt: Date, endedAt: Date? = nil) {
        self.run = run
        self.kind = kind
        self.state = state
        self.progress = progress
        self.error = error
        self.backup = backup
        self.restore = restore
        self.startedAt = startedAt
        self.endedAt = endedAt
    }
}

/// A run's progress, from restic's JSON status where it has one.
public struct RunProgress: Codable, Sendable, Equatable {
    /// What it does now (`stopping the app`, `volume data`, `dump postgres.dump`, `verifying`).
    public var phase: String
    public var percent: Double?
    public var bytesDone: UInt64?
    public var bytesTotal: UInt64?
    public var filesDone: UInt64?
    public var filesTotal: UInt64?
    public var secondsRemaining: Double?

    /// Creates progress.
    public init(phase: String, percent: Double? = nil, bytesDone: UInt64? = nil, bytesTotal: UInt64? = nil, filesDone: UInt64? = nil,
                filesTotal: UInt64? = nil, secondsRemaining: Double? = nil) {
        self.phase = phase
        self.percent = percent
        self.bytesDone = bytesDone
        self.bytesTotal = bytesTotal
        self.filesDone = filesDone
        self.filesTotal = filesTotal
        self.secondsRemaining = secondsRemaining
    }
}

/// `backup.progress`: a run's progress, as it happens.
public struct RunProgressEvent: Codable, Sendable, Equatable {
    public var run: String
    public var progress: RunProgress
    /// Creates the event.
    public init(run: String, progress: RunProgress) {
        self.run = run
        self.progress = progress
    }
}

/// What a backup run made.
public struct BackupOutcome: Codable, Sendable {
    /// Every snapshot of the run; the manifest snapshot, written last, marks it complete.
    public var snapshots: [RunSnapshot]
    /// Bytes added to the repository (after deduplication and compression).
    public var bytesAdded: UInt64
    /// Bytes read from the volumes and dumps.
    public var bytesProcessed: UInt64
    /// Seconds the app was stopped (`stop` mode).
    public var downtimeSeconds: Double?

    /// Creates an outcome.
    public init(snapshots: [RunSnapshot], bytesAdded: UInt64, bytesProcessed: UInt64, downtimeSeconds: Double?) {
        self.snapshots = snapshots
        self.bytesAdded = bytesAdded
        self.bytesProcessed = bytesProcessed
        self.downtimeSeconds = downtimeSeconds
    }
}

/// One snapshot a run made.
public struct RunSnapshot: Codable, Sendable {
    /// `volume`, `dump` or `manifest`.
    public var kind: String
    /// The volume key or the dump's file name.
    public var item: String
    /// restic's id (short, as restic 0.14 reports it after a backup).
    public var id: String
    public var files: UInt64
    public var bytes: UInt64
    public var bytesAdded: UInt64

    /// Creates a snapshot record.
    public init(kind: String, item: String, id: String, files: UInt64, bytes: UInt64, bytesAdded: UInt64) {
        self.kind = kind
        self.item = item
        self.id = id
        self.files = files
        self.bytes = bytes
        self.bytesAdded = bytesAdded
    }
}

/// What a restore run made.
public struct RestoreOutcome: Codable, Sendable {
    /// Per fresh volume: the files and bytes restored and checked against the manifest.
    public var volumes: [RestoredVolume]

    /// Creates an outcome.
    public init(volumes: [RestoredVolume]) { self.volumes = volumes }
}

/// One restored volume.
public struct RestoredVolume: Codable, Sendable {
    /// The volume key in the stack.
    public var key: String
    /// The fresh volume's name on the device.
    public var volume: String
    public var entries: UInt64
    public var bytes: UInt64
    /// Whether every entry matched the manifest taken at backup time (stat + SHA-256).
    public var verified: Bool

    /// Creates a record.
    public init(key: String, volume: String, entries: UInt64, bytes: UInt64, verified: Bool) {
        self.key = key
        self.volume = volume
        self.entries = entries
        self.bytes = bytes
        self.verified = verified
    }
}
