import Foundation
import Protocol

/// One device as the overview's table, the device list and the map show it.
struct DeviceSummaryView: Sendable {
    /// An app on the device, as a small link.
    struct AppChip: Sendable {
        var name: String
        var href: String
        /// Two letters standing for it.
        var initials: String
        var state: String
    }
    var name: String
    var href: String
    var status: String
    var statusText: String
    /// `green`, `yellow`, `red`, or `none` while pending.
    var health: String
    /// `Healthy (memory 45 %)`, `Unreachable`.
    var healthText: String
    var address: String
    /// `x86_64`, `aarch64`.
    var architecture: String
    /// Board or CPU model.
    var model: String
    var cores: String?
    var cpu: MeterView?
    var memory: MeterView?
    var disk: MeterView?
    var temperature: String?
    var lastSeen: TimeView?
    var apps: [AppChip]
    var appCount: Int
    /// The card's size on the map, by memory: `s` (< 2 GB), `m` (< 8 GB), `l`.
    var size: String
    var pending: Bool
    var keyFingerprint: String

    /// The view of `device` with the deployments that have a component on it.
    init(_ device: DeviceResource, deployments: [DeploymentResource], thresholds: HealthThresholds, now: Date) {
        name = device.name
        href = "/devices/\(WebPage.percentEncoded(device.name))"
        status = device.status.rawValue
        statusText = device.status.rawValue.capitalized
        pending = device.status == .pending
        keyFingerprint = device.keyFingerprint
        if let health = device.health {
            self.health = health.level.rawValue
            healthText = switch health.level {
            case .green: "Healthy"
            case .yellow: "Busy: \(health.reason)"
            case .red: health.worst == .reachability ? "Unreachable" : "Overloaded: \(health.reason)"
            case .unknown: "No figures yet: \(health.reason)"
            }
        } else {
            health = "none"
            healthText = "Waiting for approval"
        }
        address = device.address ?? "—"
        architecture = device.facts?.architecture ?? "—"
        model = device.facts?.boardModel ?? device.facts?.cpu.model ?? "—"
        cores = device.facts.map { "\($0.cpu.cores) cores" }
        let metrics = device.metrics
        cpu = metrics?.cpu.map { MeterView(label: "CPU", percent: $0.totalPercent, detail: Format.percent($0.totalPercent), thresholds: thresholds) }
        memory = metrics?.memory.map { MeterView(label: "RAM", used: Double($0.usedBytes), total: Double($0.totalBytes), thresholds: thresholds) }
        // As `df` and the health judge it: used against used + available (the root's reserve left out).
        disk = metrics?.filesystems?.fullest.map { filesystem in
            MeterView(label: "Disk", percent: filesystem.usedPercent ?? 0,
                      detail: "\(Format.bytes(filesystem.usedBytes)) used, \(Format.bytes(filesystem.availableBytes)) free", thresholds: thresholds)
        }
        temperature = metrics?.temperatures?.map(\.celsius).max().map { "\(Int($0.rounded())) °C" }
        lastSeen = device.lastSeenAt.map { TimeView($0, now: now) }
        let here = deployments.filter { $0.components.contains { $0.device == device.name } }
        apps = here.map { AppChip(name: $0.name, href: "/apps/\(WebPage.percentEncoded($0.name))", initials: String($0.name.prefix(2)).uppercased(), state: $0.state.rawValue) }
        appCount = here.count
        let memoryBytes = Double(device.metrics?.memory?.totalBytes ?? device.facts?.memoryBytes ?? 0)
        size = memoryBytes >= 8e9 ? "l" : memoryBytes >= 2e9 ? "m" : "s"
    }
}
