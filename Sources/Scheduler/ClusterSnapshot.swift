import Foundation
import Recipes

/// What the scheduler sees: every device as it was at one moment (`docs/snapshot.md`). Immutable input;
/// `homelab snapshot export` writes one, `homelab plan --snapshot` reads one.
public struct ClusterSnapshot: Codable, Sendable, Equatable {
    /// The format's version; a reader refuses versions it does not know.
    public static let currentVersion = 1

    public var version: Int
    public var takenAt: Date
    public var devices: [DeviceState]

    public init(takenAt: Date, devices: [DeviceState]) {
        version = Self.currentVersion
        self.takenAt = takenAt
        self.devices = devices
    }
}

/// One device in a snapshot. Absent figures are unknown (a fresh device without metrics), never zero.
public struct DeviceState: Codable, Sendable, Equatable {
    public var name: String
    public var online: Bool
    /// Being emptied: nothing new is placed on it.
    public var draining: Bool
    /// As `uname -m` prints it (`x86_64`, `aarch64`, `armv7l`).
    public var architecture: String?
    public var cores: Int?
    public var cpuMHz: Double?
    /// Latest CPU use, 0-100.
    public var cpuBusyPercent: Double?
    public var memoryTotalBytes: Int64?
    public var memoryAvailableBytes: Int64?
    /// The largest filesystem.
    public var storageTotalBytes: Int64?
    public var storageAvailableBytes: Int64?
    /// Declared (a hardware profile, or the `always-on` label).
    public var alwaysOn: Bool?
    /// Typical power draw.
    public var watts: Double?
    public var gpu: Bool
    /// Declared traits (the `traits` label, comma-separated).
    public var traits: [DeviceTrait]
    /// The `group` label's values.
    public var groups: [String]
    /// Share of the last 30 days (or of `observedDays`, when fewer) the device was online, 0-1; nil without history.
    public var availability: Double?
    /// How many days `availability` covers (30 at most); nil when unknown.
    public var observedDays: Double?
    /// Reboots in the last 30 days.
    public var reboots: Int?
    /// Host ports already published, as `8080/tcp`.
    public var publishedPorts: [String]
    /// What already runs there, with what it reserved.
    public var apps: [DeployedApp]

    public init(name: String, online: Bool = true, draining: Bool = false, architecture: String? = nil, cores: Int? = nil, cpuMHz: Double? = nil,
                cpuBusyPercent: Double? = nil, memoryTotalBytes: Int64? = nil, memoryAvailableBytes: Int64? = nil, storageTotalBytes: Int64? = nil,
                storageAvailableBytes: Int64? = nil, alwaysOn: Bool? = nil, watts: Double? = nil, gpu: Bool = false, traits: [DeviceTrait] = [],
                groups: [String] = [], availability: Double? = nil, observedDays: Double? = nil, reboots: Int? = nil, publishedPorts: [String] = [], apps: [DeployedApp] = []) {
        self.name = name
        self.online = online
        self.draining = draining
        self.architecture = architecture
        self.cores = cores
        self.cpuMHz = cpuMHz
        self.cpuBusyPercent = cpuBusyPercent
        self.memoryTotalBytes = memoryTotalBytes
        self.memoryAvailableBytes = memoryAvailableBytes
        self.storageTotalBytes = storageTotalBytes
        self.storageAvailableBytes = storageAvailableBytes
        self.alwaysOn = alwaysOn
        self.watts = watts
        self.gpu = gpu
        self.traits = traits
        self.groups = groups
        self.availability = availability
        self.observedDays = observedDays
        self.reboots = reboots
        self.publishedPorts = publishedPorts
        self.apps = apps
    }

    /// Declared traits plus those its figures show: always-on (declared, or online 99 % of at least 7 observed days),
    /// low-power (≤ 15 W, or an ARM board without a figure), storage-optimized (≥ 1 TiB),
    /// high-memory (≥ 16 GiB), fast-cpu (cores × GHz ≥ 10), gpu.
    public var effectiveTraits: Set<DeviceTrait> {
        var traits = Set(self.traits)
        if alwaysOn == true || ((availability ?? 0) >= 0.99 && (observedDays ?? 30) >= 7) { traits.insert(.alwaysOn) }
        if let watts { if watts <= 15 { traits.insert(.lowPower) } } else if RecipeArchitecture(machine: architecture ?? "") != .amd64, architecture != nil {
            traits.insert(.lowPower)
        }
        if (storageTotalBytes ?? 0) >= 1 << 40 { traits.insert(.storageOptimized) }
        if (memoryTotalBytes ?? 0) >= 16 << 30 { traits.insert(.highMemory) }
        if Double(cores ?? 0) * (cpuMHz ?? 0) / 1000 >= 10 { traits.insert(.fastCPU) }
        if gpu { traits.insert(.gpu) }
        return traits
    }
}

/// An app on a device and what it holds back.
public struct DeployedApp: Codable, Sendable, Equatable {
    public var recipe: String
    /// The deployment it belongs to (absent in snapshots written before it was recorded).
    public var deployment: String?
    public var category: String?
    public var memoryBytes: Int64
    public var storageBytes: Int64
    /// Its share of the device's CPU, 0-100, when measured.
    public var cpuPercent: Double?
    public init(recipe: String, deployment: String? = nil, category: String? = nil, memoryBytes: Int64 = 0, storageBytes: Int64 = 0,
                cpuPercent: Double? = nil) {
        self.recipe = recipe
        self.deployment = deployment
        self.category = category
        self.memoryBytes = memoryBytes
        self.storageBytes = storageBytes
        self.cpuPercent = cpuPercent
    }
}
