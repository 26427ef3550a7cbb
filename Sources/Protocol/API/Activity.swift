import FoundationEssentials

/// One entry of the activity feed (`GET /v1/activity`): something a person would want to read later.
public struct ActivityEntry: Codable, Equatable, Sendable {
    /// Position in the feed; pass it as `before` for the next page.
    public var id: Int64
    /// When it happened (controller clock).
    public var time: Date
    /// What kind of thing happened: `device.online`, `device.offline`, `deployment.running`, `deployment.stop`, ….
    public var type: String
    /// The device it concerns, by name, when it concerns one that still exists.
    public var device: String?
    /// The deployment it concerns, by name, when it concerns one.
    public var deployment: String?
    /// What happened, for people: `Deployed vaultwarden (vaultwarden 1.32) to nas`.
    public var message: String

    /// Creates an entry.
    public init(id: Int64, time: Date, type: String, device: String? = nil, deployment: String? = nil, message: String) {
        self.id = id
        self.time = time
        self.type = type
        self.device = device
        self.deployment = deployment
        self.message = message
    }
}

/// A page of the activity feed, newest first.
public struct ActivityPage: Codable, Equatable, Sendable {
    /// The entries, newest first.
    public var items: [ActivityEntry]
    /// The `before` value of the next (older) page; absent on the last page.
    public var next: Int64?

    /// Creates a page.
    public init(items: [ActivityEntry], next: Int64?) {
        self.items = items
        self.next = next
    }
}
