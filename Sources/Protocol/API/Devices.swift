import FoundationEssentials

/// Where a device stands with the controller.
public enum DeviceStatus: String, Codable, Sendable, CaseIterable {
    /// Asked to join without a token; waits for `homelab devices approve`.
    case pending
    /// Enrolled and connected.
    case online
    /// Enrolled, not heard from within the heartbeat TTL.
    case offline
}

/// A device as the API shows it (`GET /v1/devices`, `GET /v1/devices/{name}`).
public struct DeviceResource: Codable, Equatable, Sendable {
    /// Stable id the agent made on the device.
    public var id: String
    /// Unique name (the hostname unless given).
    public var name: String
    /// Pending, online or offline.
    public var status: DeviceStatus
    /// SHA-256 fingerprint of the device key (`SHA256:` + base64, as OpenSSH prints keys).
    public var keyFingerprint: String
    /// Labels from the join token.
    public var labels: [String: String]
    /// Address the agent last connected from.
    public var address: String?
    /// When the device first asked to join.
    public var createdAt: Date
    /// When the device was last heard from.
    public var lastSeenAt: Date?
    /// Its facts, when reported.
    public var facts: DeviceFacts?
    /// Its latest metrics sample, when reported.
    public var metrics: MetricsSample?
    /// Green, yellow or red (absent while pending): see ``DeviceHealth``.
    public var health: DeviceHealth?

    /// Creates a resource.
    public init(id: String, name: String, status: DeviceStatus, keyFingerprint: String, labels: [String: String] = [:],
                address: String? = nil, createdAt: Date, lastSeenAt: Date? = nil, facts: DeviceFacts? = nil, metrics: MetricsSample? = nil,
                health: DeviceHealth? = nil) {
        self.id = id
        self.name = name
        self.status = status
        self.keyFingerprint = keyFingerprint
        self.labels = labels
        self.address = address
        self.createdAt = createdAt
        self.lastSeenAt = lastSeenAt
        self.facts = facts
        self.metrics = metrics
        self.health = health
    }
}

/// A list answer: `{"items": […]}`.
public struct ListResponse<Item: Codable & Sendable>: Codable, Sendable {
    /// The items.
    public var items: [Item]
    /// Creates a list.
    public init(items: [Item]) { self.items = items }
}

/// The body of every API error: `{"error": {"code": "…", "message": "…", "context": {…}}}`.
public struct APIErrorResponse: Codable, Equatable, Sendable {
    /// The error: its stable code, the message and what it concerns.
    public var error: HomelabError
    /// Creates an error body.
    public init(_ error: HomelabError) { self.error = error }
}

/// A change in the registry, as sent on `GET /v1/events` (WebSocket, one JSON text message each).
public struct RegistryEvent: Codable, Equatable, Sendable {
    /// What happened.
    public enum Kind: String, Codable, Sendable {
        case devicePending = "device.pending"
        case deviceEnrolled = "device.enrolled"
        case deviceOnline = "device.online"
        case deviceOffline = "device.offline"
        case deviceUpdated = "device.updated"
        case deviceRemoved = "device.removed"
        /// A step of a stack apply on the device (`stack` is set).
        case stackProgress = "stack.progress"
        /// A container on the device died, ran out of memory or changed health (`container` is set).
        case containerEvent = "container.event"
        /// A deployment moved a step (`deployment` is set; `device` when the step concerns one device).
        case deploymentProgress = "deployment.progress"
        /// A network scan moved (`scan` is set, `device` is not).
        case scanProgress = "scan.progress"
        /// A step of an SSH bootstrap or uninstall (`bootstrap` is set; `device` once the device is enrolled).
        case bootstrapProgress = "bootstrap.progress"
        /// The device's uptime went down between two samples: it rebooted.
        case deviceRebooted = "device.rebooted"
        /// A device's or an app's health colour changed (`health` is set; `device` for a device).
        case healthChanged = "health.changed"
        /// A backup, restore or check run on the device moved (`backup` is set).
        case backupProgress = "backup.progress"
    }
    /// What happened.
    public var type: Kind
    /// When (controller clock).
    public var time: Date
    /// The device as it is after the change (absent on scan events, early bootstrap steps, and deployment steps that concern no one device).
    public var device: DeviceResource?
    /// With `stack.progress`.
    public var stack: StackProgress?
    /// With `container.event`.
    public var container: ContainerEvent?
    /// With `deployment.progress`.
    public var deployment: DeploymentProgress?
    /// With `scan.progress`.
    public var scan: ScanProgress?
    /// With `bootstrap.progress`.
    public var bootstrap: BootstrapProgress?
    /// With `health.changed`.
    public var health: HealthChange?
    /// With `backup.progress`.
    public var backup: RunProgressEvent?
    /// Creates an event.
    public init(type: Kind, time: Date, device: DeviceResource?) {
        self.type = type
        self.time = time
        self.device = device
    }
}
