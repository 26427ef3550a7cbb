import Protocol

/// A backup, restore or check run the controller drove through an agent, with the agent's final status.
public struct BackupRunResult: Sendable {
    public var run: String
    public var app: String?
    public var component: String?
    /// The device that ran it.
    public var device: String
    /// The target holding the repository.
    public var target: String
    /// The repository's name.
    public var repository: String
    public var status: RunStatus

    /// Creates a result.
    public init(run: String, app: String?, component: String?, device: String, target: String, repository: String, status: RunStatus) {
        self.run = run
        self.app = app
        self.component = component
        self.device = device
        self.target = target
        self.repository = repository
        self.status = status
    }
}
