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
