import FoundationEssentials

/// Which backup runs an app keeps (restic's `forget --keep-*` rules, applied per component): the newest
/// `keepLast`, and the newest run of each of the last `keepDaily` days, `keepWeekly` weeks and
/// `keepMonthly` months that have one. A run that never finished is forgotten once a newer one finished.
public struct BackupRetention: Codable, Equatable, Sendable {
    public var keepLast: Int
    public var keepDaily: Int
    public var keepWeekly: Int
    public var keepMonthly: Int

    /// Creates rules; the defaults keep the last 3 runs, a week of days, a month of weeks and half a year of months.
    public init(keepLast: Int = 3, keepDaily: Int = 7, keepWeekly: Int = 4, keepMonthly: Int = 6) {
        self.keepLast = keepLast
        self.keepDaily = keepDaily
        self.keepWeekly = keepWeekly
        self.keepMonthly = keepMonthly
    }
}

/// `POST /v1/deployments/{name}/backups`: back the app up now, every component with volumes.
public struct BackupNowRequest: Codable, Equatable, Sendable {
    /// The target device (default: the only target).
    public var target: String?

    /// Creates a request.
    public init(target: String? = nil) { self.target = target }
}

/// `POST /v1/deployments/{name}/backups/check`: check the app's repository on its target (`restic check`),
/// reading a share of its data; the controller also does this weekly.
public struct BackupCheckRequest: Codable, Equatable, Sendable {
    /// Percent of the repository's data read back and verified, 0-100 (0: its structure only). Default 5.
    public var readDataPercent: Int?
    /// The target device (default: where the app's latest backup went, else the only target).
    public var target: String?

    /// Creates a request.
    public init(readDataPercent: Int? = nil, target: String? = nil) {
        self.readDataPercent = readDataPercent
        self.target = target
    }
}

/// `POST /v1/deployments/{name}/restores`: restore the app where it runs from a backup run.
public struct RestoreRequest: Codable, Equatable, Sendable {
    /// The backup run (as `homelab backup list` shows it), or a restic snapshot id of it (8 characters
    /// or more); default: the newest complete run of each component.
    public var snapshot: String?
    /// The target device holding the backups (default: the only target).
    public var target: String?

    /// Creates a request.
    public init(snapshot: String? = nil, target: String? = nil) {
        self.snapshot = snapshot
        self.target = target
    }
}

/// The answer to a backup (or restore) request: its job, and where its steps are read.
public struct BackupAccepted: Codable, Equatable, Sendable {
    public var job: JobResource
    /// `GET` it for the job's steps as JSON lines (`JobStepResource`), until the final one.
    public var progress: String

    /// Creates an answer.
    public init(job: JobResource, progress: String) {
        self.job = job
        self.progress = progress
    }
}

/// One stored step of a job, as a progress stream sends it.
public struct JobStepResource: Codable, Equatable, Sendable {
    public var seq: Int64
    public var time: Date
    /// The job's state after the step (`backing-up`, `retaining`, `done`).
    public var state: String
    public var component: String?
    public var message: String
    /// The step that ends the job: a reader stops there.
    public var final: Bool?

    /// Creates a step.
    public init(seq: Int64, time: Date, state: String, component: String?, message: String, final: Bool?) {
        self.seq = seq
        self.time = time
        self.state = state
        self.component = component
        self.message = message
        self.final = final
    }
}

/// `GET /v1/deployments/{name}/backups`: one backup run of an app, as its repository holds it.
public struct BackupRunEntry: Codable, Equatable, Sendable {
    /// The run's id (what `restore --snapshot` takes).
    public var run: String
    /// When its first snapshot was taken.
    public var time: Date
    /// The component, for multi-component apps.
    public var component: String?
    /// The device it was taken on.
    public var device: String?
    /// Whether its manifest was written: only a complete run is restored or counted.
    public var complete: Bool
    /// Its snapshots' items: `volume:data`, `dump:db.pgdump`.
    public var items: [String]
    /// restic's full ids of its snapshots.
    public var snapshots: [String]
    /// Files and bytes read, and bytes added to the repository, when a backup job of this controller made it.
    public var files: UInt64?
    public var bytes: UInt64?
    public var bytesAdded: UInt64?

    /// Creates an entry.
    public init(run: String, time: Date, component: String?, device: String?, complete: Bool, items: [String], snapshots: [String],
                files: UInt64? = nil, bytes: UInt64? = nil, bytesAdded: UInt64? = nil) {
        self.run = run
        self.time = time
        self.component = component
        self.device = device
        self.complete = complete
        self.items = items
        self.snapshots = snapshots
        self.files = files
        self.bytes = bytes
        self.bytesAdded = bytesAdded
    }
}

/// `PUT /v1/deployments/{name}/backup-policy`: when and where an app is backed up, and what is kept.
/// A field left out takes the default: daily at 03:00 plus the app's own jitter (up to an hour, so
/// apps do not all start at once), the only target, the default retention.
public struct BackupPolicySpec: Codable, Equatable, Sendable {
    /// Five-field cron (`0 3 * * *`), in the controller's time zone.
    public var schedule: String?
    public var target: String?
    public var retention: BackupRetention?
    /// False: no scheduled backups (`backup now` still works).
    public var enabled: Bool?

    /// Creates a policy.
    public init(schedule: String? = nil, target: String? = nil, retention: BackupRetention? = nil, enabled: Bool? = nil) {
        self.schedule = schedule
        self.target = target
        self.retention = retention
        self.enabled = enabled
    }
}

/// An app's backup policy as it applies, defaults filled in, with when it runs next.
public struct BackupPolicyResource: Codable, Equatable, Sendable {
    public var deployment: String
    public var schedule: String
    /// Minutes added to every scheduled time (the default schedule's per-app jitter; 0 for a schedule that was set).
    public var jitterMinutes: Int
    public var target: String?
    public var retention: BackupRetention
    public var enabled: Bool
    /// Whether nothing was set for the app (every field its default).
    public var isDefault: Bool
    /// When a scheduled backup is due next (absent when disabled).
    public var nextRunAt: Date?

    /// Creates a resource.
    public init(deployment: String, schedule: String, jitterMinutes: Int, target: String?, retention: BackupRetention, enabled: Bool, isDefault: Bool,
                nextRunAt: Date?) {
        self.deployment = deployment
        self.schedule = schedule
        self.jitterMinutes = jitterMinutes
        self.target = target
        self.retention = retention
        self.enabled = enabled
        self.isDefault = isDefault
        self.nextRunAt = nextRunAt
    }
}
