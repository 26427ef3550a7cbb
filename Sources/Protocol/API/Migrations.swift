import FoundationEssentials

/// `POST /v1/deployments/{name}/migrations`: move a component (with its volumes) to another device, or
/// remove the stopped source a finished migration kept (`finish`).
public struct MigrationRequest: Codable, Equatable, Sendable {
    /// A device name, or `auto` (the scheduler's choice, the current device excluded). Not with `finish`.
    public var to: String?
    /// The component to move; needed when the deployment's components are on different devices.
    public var component: String?
    /// Remove the source's stopped stack and volumes once the move succeeded.
    public var removeSource: Bool?
    /// Copy the volumes while the app runs first; the copy with the app stopped then sends only what changed.
    public var warm: Bool?
    /// Only say what would be done (200 with the plan); nothing changes.
    public var dryRun: Bool?
    /// Remove what the last migration kept at its source.
    public var finish: Bool?

    public init(to: String? = nil, component: String? = nil, removeSource: Bool? = nil, warm: Bool? = nil, dryRun: Bool? = nil, finish: Bool? = nil) {
        self.to = to
        self.component = component
        self.removeSource = removeSource
        self.warm = warm
        self.dryRun = dryRun
        self.finish = finish
    }
}

/// A migration accepted (202): its job, and where to follow its steps.
public struct MigrationAccepted: Codable, Equatable, Sendable {
    public var deployment: String
    public var job: String
    public var component: String
    public var source: String
    public var destination: String
    /// Why the destination (`chosen by you`, or the scheduler's reason).
    public var reason: String
    /// The deployment's progress, after the steps before this job (`GET` it as JSON lines).
    public var progress: String

    public init(deployment: String, job: String, component: String, source: String, destination: String, reason: String, progress: String) {
        self.deployment = deployment
        self.job = job
        self.component = component
        self.source = source
        self.destination = destination
        self.reason = reason
        self.progress = progress
    }
}

/// What a migration would do (`dryRun`): measured now, nothing changed.
public struct MigrationPlan: Codable, Equatable, Sendable {
    public struct Volume: Codable, Equatable, Sendable {
        public var name: String
        /// Bytes on disk.
        public var bytes: UInt64
        public var entries: Int
        public init(name: String, bytes: UInt64, entries: Int) {
            self.name = name
            self.bytes = bytes
            self.entries = entries
        }
    }

    public var deployment: String
    public var component: String
    public var source: String
    public var destination: String
    public var reason: String
    public var volumes: [Volume]
    /// Free bytes where the destination's Docker keeps volumes, and what the copies need (1.2 × their size).
    public var destinationFreeBytes: UInt64
    public var neededBytes: UInt64
    /// Whether the copies fit (else the migration is refused at preflight with `insufficient_storage`).
    public var fits: Bool
    /// The images the destination pulls while the app still runs.
    public var images: [String]
    public var warm: Bool
    /// Expected downtime (seconds): the copy with the app stopped at the assumed rate, plus starting it.
    public var downtimeSeconds: Int
    /// The steps, in order.
    public var steps: [String]

    public init(deployment: String, component: String, source: String, destination: String, reason: String, volumes: [Volume],
                destinationFreeBytes: UInt64, neededBytes: UInt64, fits: Bool, images: [String], warm: Bool, downtimeSeconds: Int, steps: [String]) {
        self.deployment = deployment
        self.component = component
        self.source = source
        self.destination = destination
        self.reason = reason
        self.volumes = volumes
        self.destinationFreeBytes = destinationFreeBytes
        self.neededBytes = neededBytes
        self.fits = fits
        self.images = images
        self.warm = warm
        self.downtimeSeconds = downtimeSeconds
        self.steps = steps
    }
}
