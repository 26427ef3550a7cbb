import FoundationEssentials

/// Something heard announcing on the network (`GET /v1/discovered`): an agent, enrolled or not, or a controller.
public struct DiscoveredResource: Codable, Equatable, Sendable {
    /// Agent or controller.
    public var kind: Announcement.Kind
    /// Device id, or the controller's CA fingerprint prefix.
    public var id: String
    /// Host name it announced.
    public var hostname: String
    /// Software version it announced.
    public var version: String
    /// Architecture (agents).
    public var architecture: String?
    /// Enrollment state it announced (agents).
    public var state: Announcement.EnrollmentState?
    /// Whether it announced a live session (agents).
    public var linked: Bool?
    /// Key fingerprint (agents).
    public var keyFingerprint: String?
    /// Agent port address (controllers).
    public var agentAddress: String?
    /// CA fingerprint (controllers).
    public var caFingerprint: String?
    /// Address the last announcement came from.
    public var source: String
    /// When it was first heard.
    public var firstSeenAt: Date
    /// When it was last heard.
    public var lastSeenAt: Date
    /// Announcements accepted from it.
    public var announcements: Int
    /// Its name in this controller's registry, when it is a device here (enrolled or pending).
    public var device: String?

    /// A new entry from its first announcement.
    public init(_ announcement: Announcement, source: String, now: Date) {
        kind = announcement.kind
        id = announcement.id
        hostname = announcement.hostname
        version = announcement.version
        self.source = source
        firstSeenAt = now
        lastSeenAt = now
        announcements = 0
        update(announcement, source: source, now: now)
    }

    /// Takes a later announcement from the same sender.
    public mutating func update(_ announcement: Announcement, source: String, now: Date) {
        hostname = announcement.hostname
        version = announcement.version
        architecture = announcement.architecture
        state = announcement.state
        linked = announcement.linked
        keyFingerprint = announcement.keyFingerprint
        agentAddress = announcement.agentAddress
        caFingerprint = announcement.caFingerprint
        self.source = source
        lastSeenAt = now
        announcements += 1
    }
}

/// `GET /v1/discovered`: the entries, and what became of every datagram received.
public struct DiscoveredList: Codable, Equatable, Sendable {
    /// Everything heard within the expiry, agents first, then by host name.
    public var items: [DiscoveredResource]
    /// Datagrams by outcome since the controller started: `accepted`, `own`, `oversized`, `malformed`,
    /// `unsupported_version`, `invalid_field`, `rate_limited`, `too_many_ids`, `table_full`.
    public var datagrams: [String: Int]

    /// Creates a list.
    public init(items: [DiscoveredResource], datagrams: [String: Int]) {
        self.items = items
        self.datagrams = datagrams
    }
}
