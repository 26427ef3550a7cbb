import Foundation

/// What the scheduler sees: every device as it was at one moment (`docs/snapshot.md`). Immutable input;
/// `homelab snapshot export` writes one, `homelab plan --snapshot` reads one.
public struct ClusterSnapshot: Codable, Sendable, Equatable {
    /// The format's version: 2 averages CPU use over a window (`metricsWindowSeconds`); 1 had the latest reading.
    public static let currentVersion = 2
    /// The versions this build reads; a reader refuses the others.
    public static let readableVersions = 1...currentVersion

    public var version: Int
    public var takenAt: Date
    /// How far back `cpuBusyPercent` is averaged, in seconds; nil in a version 1 file (the latest reading).
    public var metricsWindowSeconds: Double?
    public var devices: [DeviceState]

    public init(takenAt: Date, metricsWindowSeconds: Double? = nil, devices: [DeviceState]) {
        version = Self.currentVersion
        self.takenAt = takenAt
        self.metricsWindowSeconds = metricsWindowSeconds
        self.devices = devices
    }
}
