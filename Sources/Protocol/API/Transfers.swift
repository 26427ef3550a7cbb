import FoundationEssentials

/// `POST /v1/transfers`: copy volumes from one device to another, agent to agent, checked by manifest.
public struct TransferRequest: Codable, Equatable, Sendable {
    /// The device the volumes are on (name or id).
    public var source: String
    /// The device that receives copies of them.
    public var destination: String
    /// The volumes (engine names, `<project>_<volume>`), the same names at the destination.
    public var volumes: [String]
    /// Copy only what differs from the destination's earlier copy (made for the same `migration`).
    public var incremental: Bool?
    /// The volumes are in use (a warm copy while the app runs): differences are reported, not a failure.
    public var live: Bool?
    /// Labels the destination's copies with this migration id (default: a new one, returned).
    public var migration: String?

    /// Creates a request.
    public init(source: String, destination: String, volumes: [String], incremental: Bool? = nil, live: Bool? = nil, migration: String? = nil) {
        self.source = source
        self.destination = destination
        self.volumes = volumes
        self.incremental = incremental
        self.live = live
        self.migration = migration
    }
}

/// Where a transfer stands.
public enum TransferState: String, Codable, Sendable {
    case running, succeeded, failed
}

/// Why a transfer failed: a stable code and a message.
public struct TransferFailure: Codable, Equatable, Sendable {
    /// `insufficient_storage`, `no_space`, `manifest_mismatch`, `device_disconnected`, `device_offline`, `transfer_refused`,
    /// `peer_unreachable`, `transfer_stalled`, `unsupported_file`, `volume_exists`, `not_found`, `transfer_failed`.
    public var code: String
    /// Message for people.
    public var message: String
    /// Creates a failure.
    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }
}

/// A transfer as `POST /v1/transfers` and `GET /v1/transfers/{id}` answer it.
public struct TransferResource: Codable, Equatable, Sendable {
    /// Transfer id.
    public var id: String
    /// The migration its copies are labelled with.
    public var migration: String
    /// Source device name.
    public var source: String
    /// Destination device name.
    public var destination: String
    /// The volumes.
    public var volumes: [String]
    /// Running, succeeded or failed.
    public var state: TransferState
    /// The source's latest phase (`connecting`, `manifest`, `streaming`, `verifying`, `done`).
    public var phase: String?
    /// Tar stream bytes the source has sent.
    public var sentBytes: UInt64
    /// Tar stream bytes the destination has written.
    public var writtenBytes: UInt64
    /// `direct` or `relay`, once known.
    public var route: String?
    /// The manifests of the copies, as the destination wrote them, once succeeded.
    public var manifests: [VolumeSummary]?
    /// Why it failed.
    public var failure: TransferFailure?
    /// When it started.
    public var startedAt: Date
    /// When it ended.
    public var finishedAt: Date?

    /// Creates a resource.
    public init(id: String, migration: String, source: String, destination: String, volumes: [String], state: TransferState = .running,
                phase: String? = nil, sentBytes: UInt64 = 0, writtenBytes: UInt64 = 0, route: String? = nil, manifests: [VolumeSummary]? = nil,
                failure: TransferFailure? = nil, startedAt: Date, finishedAt: Date? = nil) {
        self.id = id
        self.migration = migration
        self.source = source
        self.destination = destination
        self.volumes = volumes
        self.state = state
        self.phase = phase
        self.sentBytes = sentBytes
        self.writtenBytes = writtenBytes
        self.route = route
        self.manifests = manifests
        self.failure = failure
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }
}
