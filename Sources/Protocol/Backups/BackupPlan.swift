/// How an app's volumes are made consistent for a backup, as its recipe declares.
public enum BackupMode: String, Codable, Sendable, CaseIterable {
    /// Stop the app, snapshot its volumes, start it again (always, even when the backup failed).
    case stop
    /// Stream each declared database dump into restic while the app runs, then snapshot the volumes too.
    case dump
    /// Snapshot the volumes while the app runs (opt-in: only for apps whose files are safe to copy live).
    case live
}

/// What one backup of one component does besides copying its volumes.
public struct BackupPlan: Codable, Sendable, Equatable {
    public var mode: BackupMode
    /// Dumps streamed into the repository (`dump` mode).
    public var dumps: [DumpSpec]
    /// Commands run in a service's container before the backup starts.
    public var pre: [HookSpec]
    /// Commands run in a service's container after the backup, whatever its outcome.
    public var post: [HookSpec]

    /// Creates a plan.
    public init(mode: BackupMode = .stop, dumps: [DumpSpec] = [], pre: [HookSpec] = [], post: [HookSpec] = []) {
        self.mode = mode
        self.dumps = dumps
        self.pre = pre
        self.post = post
    }
}

/// A database dump: a command run in a service's container whose standard output is the dump.
public struct DumpSpec: Codable, Sendable, Equatable {
    /// The service whose container runs it.
    public var service: String
    /// The command (exec form); its exit status decides whether the dump counts.
    public var command: [String]
    /// The file name the dump gets in its snapshot (`postgres.dump`).
    public var filename: String

    /// Creates a dump.
    public init(service: String, command: [String], filename: String) {
        self.service = service
        self.command = command
        self.filename = filename
    }
}

/// A command run in a service's container around a backup.
public struct HookSpec: Codable, Sendable, Equatable {
    public var service: String
    /// Exec form.
    public var command: [String]

    /// Creates a hook.
    public init(service: String, command: [String]) {
        self.service = service
        self.command = command
    }
}
