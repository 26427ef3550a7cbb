extension MessageType {
    /// Controller → agent request: serve (or stop serving) restic's REST protocol as a backup target.
    public static let backupTargetConfigure = "backup.target.configure"
    /// Controller → agent request: start (or attach to) a backup run.
    public static let backupStart = "backup.start"
    /// Controller → agent request: start (or attach to) a restore run into fresh volumes.
    public static let restoreStart = "backup.restore"
    /// Controller → agent request: start (or attach to) a `restic check` run.
    public static let checkStart = "backup.check"
    /// Controller → agent request: a run's state, answered when it ends or after a few seconds.
    public static let runWait = "backup.wait"
    /// Controller → agent request: the snapshots of a repository.
    public static let snapshotList = "backup.snapshots"
    /// Agent → controller event: a run's progress.
    public static let backupProgress = "backup.progress"
}

extension ProtocolError.Code {
    /// restic is not installed on the device (or cannot run).
    public static let resticMissing = Self(rawValue: "restic_missing")
    /// The repository does not exist yet.
    public static let repositoryMissing = Self(rawValue: "repository_missing")
    /// The repository's password opens none of its keys.
    public static let repositoryWrongPassword = Self(rawValue: "repository_wrong_password")
    /// Another process holds the repository's lock.
    public static let repositoryLocked = Self(rawValue: "repository_locked")
    /// `restic check` found damage.
    public static let repositoryCheckFailed = Self(rawValue: "repository_check_failed")
    /// The backup target's disk is full.
    public static let backupTargetFull = Self(rawValue: "backup_target_full")
    /// The backup target refused this device's certificate for the operation.
    public static let backupAccessDenied = Self(rawValue: "backup_access_denied")
    /// The backup target cannot be reached.
    public static let backupTargetUnreachable = Self(rawValue: "backup_target_unreachable")
    /// Some files could not be read: the snapshot would be incomplete, so the backup failed.
    public static let backupIncomplete = Self(rawValue: "backup_incomplete")
    /// restic made no headway for longer than the inactivity limit.
    public static let resticStalled = Self(rawValue: "restic_stalled")
    /// restic failed otherwise.
    public static let resticFailed = Self(rawValue: "restic_failed")
    /// A database dump exited non-zero (or could not start): the backup failed and made no dump snapshot.
    public static let backupDumpFailed = Self(rawValue: "backup_dump_failed")
    /// A recipe's pre- or post-backup hook failed.
    public static let backupHookFailed = Self(rawValue: "backup_hook_failed")
    /// The agent stopped (or was killed) during the run; the app was put back as it was when the agent started again.
    public static let backupInterrupted = Self(rawValue: "backup_interrupted")
    /// A restored volume differs from the manifest taken at backup time.
    public static let restoreVerifyFailed = Self(rawValue: "restore_verify_failed")
    /// The device has too little free space for what a restore would write.
    public static let restoreNoSpace = Self(rawValue: "restore_no_space")
    /// The backup run asked for has no complete manifest in the repository.
    public static let backupRunIncomplete = Self(rawValue: "backup_run_incomplete")
}
