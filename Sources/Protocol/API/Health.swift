import FoundationEssentials

/// A health colour. `unknown` when there is nothing to judge by (no metrics yet, a stopped app).
public enum HealthLevel: String, Codable, Sendable, CaseIterable {
    case green, yellow, red, unknown

    /// Worse levels sort higher; `unknown` is below `green`.
    public var severity: Int {
        switch self {
        case .unknown: 0
        case .green: 1
        case .yellow: 2
        case .red: 3
        }
    }
}

/// Where the colours change (configurable on the controller: `--health-warning`, `--health-critical`).
public struct HealthThresholds: Codable, Equatable, Sendable {
    /// Yellow from this percentage of CPU, RAM or disk (70).
    public var warningPercent: Double
    /// Red from this percentage (90).
    public var criticalPercent: Double
    /// Points a value must fall below a threshold before its level drops again, so a value on the line does not flap (3).
    public var hysteresisPoints: Double
    /// Restarts in an hour from which an app is red, in a restart loop (3).
    public var restartLoop: Int

    /// Creates thresholds; the defaults are the roadmap's 70 % and 90 %.
    public init(warningPercent: Double = 70, criticalPercent: Double = 90, hysteresisPoints: Double = 3, restartLoop: Int = 3) {
        self.warningPercent = warningPercent
        self.criticalPercent = criticalPercent
        self.hysteresisPoints = hysteresisPoints
        self.restartLoop = restartLoop
    }

    /// The level of one percentage; with `previous`, a level is kept until the value is `hysteresisPoints` below its threshold.
    public func level(of percent: Double, previous: HealthLevel? = nil) -> HealthLevel {
        let level: HealthLevel = percent >= criticalPercent ? .red : percent >= warningPercent ? .yellow : .green
        guard let previous, previous.severity > level.severity else { return level }
        switch previous {
        case .red where percent >= criticalPercent - hysteresisPoints: return .red
        case .red, .yellow: return percent >= warningPercent - hysteresisPoints ? .yellow : .green
        default: return level
        }
    }
}

/// A device's health: the worst of its CPU, RAM and disk against the thresholds, or red when unreachable.
public struct DeviceHealth: Codable, Equatable, Sendable {
    /// What was judged.
    public enum Resource: String, Codable, Sendable {
        case cpu, memory, disk, reachability
    }
    /// The colour.
    public var level: HealthLevel
    /// What decides it, in words: `RAM 93 %`, `unreachable`, `CPU 12 %, RAM 40 %, disk 55 %`.
    public var reason: String
    /// The resource that decides the colour.
    public var worst: Resource?
    /// CPU busy over the last minutes (or the latest sample), 0-100.
    public var cpuPercent: Double?
    /// RAM in use, 0-100.
    public var memoryPercent: Double?
    /// The fullest real filesystem, 0-100 (`used / (used + available)`, as `df` shows it).
    public var diskPercent: Double?

    /// Creates a health value.
    public init(level: HealthLevel, reason: String, worst: Resource?, cpuPercent: Double? = nil, memoryPercent: Double? = nil,
                diskPercent: Double? = nil) {
        self.level = level
        self.reason = reason
        self.worst = worst
        self.cpuPercent = cpuPercent
        self.memoryPercent = memoryPercent
        self.diskPercent = diskPercent
    }

    /// The health of an online device from its percentages; `previous` holds a level against flapping. Unknown without any figure.
    public static func evaluate(cpuPercent: Double?, memoryPercent: Double?, diskPercent: Double?, thresholds: HealthThresholds,
                                previous: HealthLevel? = nil) -> DeviceHealth {
        let figures: [(Resource, String, Double)] = [(.cpu, "CPU", cpuPercent), (.memory, "RAM", memoryPercent), (.disk, "disk", diskPercent)]
            .compactMap { resource, label, value in value.map { (resource, label, $0) } }
        guard let worst = figures.max(by: { $0.2 < $1.2 }) else {
            return DeviceHealth(level: .unknown, reason: "no metrics reported yet", worst: nil)
        }
        let level = thresholds.level(of: worst.2, previous: previous)
        let words = figures.map { "\($0.1) \(Self.whole($0.2)) %" }
        let reason = level == .green ? words.joined(separator: ", ")
            : "\(worst.1) \(Self.whole(worst.2)) %" + (figures.count > 1 ? " (" + words.filter { !$0.hasPrefix(worst.1 + " ") }.joined(separator: ", ") + ")" : "")
        return DeviceHealth(level: level, reason: reason, worst: worst.0, cpuPercent: cpuPercent, memoryPercent: memoryPercent,
                            diskPercent: diskPercent)
    }

    /// The health of a device as the registry shows it: none while pending, red while offline, else from its latest
    /// metrics (CPU from `cpuPercent` when given, a windowed average, else the latest sample).
    public static func evaluate(_ device: DeviceResource, thresholds: HealthThresholds, cpuPercent: Double? = nil,
                                previous: HealthLevel? = nil) -> DeviceHealth? {
        switch device.status {
        case .pending: return nil
        case .offline: return .unreachable
        case .online: return evaluate(online: device.metrics, thresholds: thresholds, cpuPercent: cpuPercent, previous: previous)
        }
    }

    /// The health of an online device from its latest sample (CPU from `cpuPercent` when given).
    public static func evaluate(online metrics: MetricsSample?, thresholds: HealthThresholds, cpuPercent: Double? = nil,
                                previous: HealthLevel? = nil) -> DeviceHealth {
        let memory = metrics?.memory.flatMap { $0.totalBytes > 0 ? Double($0.usedBytes) / Double($0.totalBytes) * 100 : nil }
        let disk = metrics?.filesystems?.fullest?.usedPercent
        return evaluate(cpuPercent: cpuPercent ?? metrics?.cpu?.totalPercent, memoryPercent: memory, diskPercent: disk,
                        thresholds: thresholds, previous: previous)
    }

    /// An offline device: red.
    public static let unreachable = DeviceHealth(level: .red, reason: "unreachable", worst: .reachability)

    static func whole(_ value: Double) -> String { String(Int(value.rounded())) }
}

extension FilesystemUsage {
    /// Share in use as `df` shows it, `used / (used + available)`, 0-100; nil for an empty filesystem.
    public var usedPercent: Double? {
        let usable = usedBytes + availableBytes
        return usable > 0 ? Double(usedBytes) / Double(usable) * 100 : nil
    }
}

extension Array where Element == FilesystemUsage {
    /// The fullest filesystem (by ``FilesystemUsage/usedPercent``): what fills up first, what a device's disk health,
    /// its disk meter and its alerts judge. Nil when none has a size.
    public var fullest: FilesystemUsage? {
        filter { $0.usedPercent != nil }.max { ($0.usedPercent ?? 0) < ($1.usedPercent ?? 0) }
    }
}

/// An app's health: its containers running and healthy, and how often they restarted in the last hour.
public struct AppHealth: Codable, Equatable, Sendable {
    /// The deployment.
    public var deployment: String
    /// The colour.
    public var level: HealthLevel
    /// What decides it, in words: `2 containers running and healthy`, `web/app is unhealthy`, `restarted 5 times in the last hour`.
    public var reason: String
    /// Containers found for its components.
    public var containers: Int
    /// Of those, running.
    public var running: Int
    /// Of those, failing their health check.
    public var unhealthy: Int
    /// Container exits the devices reported in the last hour.
    public var restartsLastHour: Int
    /// When the devices were last asked.
    public var checkedAt: Date

    /// Creates a health value.
    public init(deployment: String, level: HealthLevel, reason: String, containers: Int, running: Int, unhealthy: Int,
                restartsLastHour: Int, checkedAt: Date) {
        self.deployment = deployment
        self.level = level
        self.reason = reason
        self.containers = containers
        self.running = running
        self.unhealthy = unhealthy
        self.restartsLastHour = restartsLastHour
        self.checkedAt = checkedAt
    }

    /// Judges a deployment from its state and what its devices report: `containers` by component, nil for a
    /// component whose device did not answer.
    public static func evaluate(deployment: String, state: DeploymentState, containers: [String: [StackStatus.Container]?],
                                restartsLastHour: Int, thresholds: HealthThresholds, now: Date) -> AppHealth {
        let found = containers.values.compactMap { $0 }.flatMap { $0 }
        let running = found.filter { $0.state == "running" }
        let unhealthy = found.filter { $0.health == "unhealthy" }
        func health(_ level: HealthLevel, _ reason: String) -> AppHealth {
            AppHealth(deployment: deployment, level: level, reason: reason, containers: found.count, running: running.count,
                      unhealthy: unhealthy.count, restartsLastHour: restartsLastHour, checkedAt: now)
        }
        switch state {
        case .running: break
        case .stopped: return health(.unknown, "stopped on request")
        case .failed, .rolledBack: return health(.red, "its last deploy failed")
        default: return health(.unknown, "being deployed or changed (\(state.rawValue))")
        }
        let unreachable = containers.filter { $0.value == nil }.keys.sorted()
        let restarts = "restarted \(restartsLastHour) time\(restartsLastHour == 1 ? "" : "s") in the last hour"
        if let down = found.first(where: { $0.state != "running" }) {
            return health(.red, "\(found.count - running.count) of \(found.count) containers not running (\(down.service): \(down.state))")
        }
        if let sick = unhealthy.first { return health(.red, "\(sick.service) is unhealthy") }
        if restartsLastHour >= thresholds.restartLoop { return health(.red, restarts) }
        if !unreachable.isEmpty { return health(.unknown, "no answer for \(unreachable.joined(separator: ", "))") }
        if found.isEmpty { return health(.red, "no container found on its devices") }
        if restartsLastHour > 0 { return health(.yellow, restarts) }
        if let starting = found.first(where: { $0.health == "starting" }) { return health(.yellow, "\(starting.service) is starting") }
        return health(.green, "\(found.count) container\(found.count == 1 ? "" : "s") running" + (found.contains { $0.health == "healthy" } ? " and healthy" : ""))
    }
}

/// `health.changed`: a device's or an app's colour changed.
public struct HealthChange: Codable, Equatable, Sendable {
    /// What changed colour.
    public enum Subject: String, Codable, Sendable { case device, deployment }
    /// A device or a deployment.
    public var subject: Subject
    /// Its name.
    public var name: String
    /// The colour now.
    public var level: HealthLevel
    /// The colour before, when known.
    public var previous: HealthLevel?
    /// Why, in words.
    public var reason: String
    /// Creates a change.
    public init(subject: Subject, name: String, level: HealthLevel, previous: HealthLevel?, reason: String) {
        self.subject = subject
        self.name = name
        self.level = level
        self.previous = previous
        self.reason = reason
    }
}

/// `GET /v1/health`: every device's and every app's health, and the thresholds they were judged by.
public struct HealthReport: Codable, Equatable, Sendable {
    /// One device's health.
    public struct Device: Codable, Equatable, Sendable {
        /// Its name.
        public var device: String
        /// Its health (absent while pending).
        public var health: DeviceHealth?
        /// Creates an entry.
        public init(device: String, health: DeviceHealth?) {
            self.device = device
            self.health = health
        }
    }
    /// The thresholds in force.
    public var thresholds: HealthThresholds
    /// By name.
    public var devices: [Device]
    /// By deployment name.
    public var apps: [AppHealth]
    /// Creates a report.
    public init(thresholds: HealthThresholds, devices: [Device], apps: [AppHealth]) {
        self.thresholds = thresholds
        self.devices = devices
        self.apps = apps
    }
}
