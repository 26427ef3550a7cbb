import Foundation
import Protocol

/// The `homelab devices show` text: identity, labels, facts and the latest metrics, in sections.
public struct DeviceDetail: Sendable {
    /// The device.
    public var device: DeviceResource
    /// The time relative times are measured from.
    public var now: Date
    /// Colors for the status word.
    public var style: Style

    /// Creates the view.
    public init(device: DeviceResource, now: Date, style: Style = Style(colorEnabled: false)) {
        self.device = device
        self.now = now
        self.style = style
    }

    /// The text.
    public func render() -> String {
        var sections = Sections()
        sections.add("Device \(device.name)", .fields(identity))
        sections.add("Labels", device.labels.isEmpty ? .lines(["(none)"]) : .lines(device.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }))
        if let facts = device.facts {
            sections.add("Facts", .fields(Self.facts(facts, now: now)))
        } else {
            sections.add("Facts", .lines(["(not reported yet)"]))
        }
        guard let metrics = device.metrics else {
            sections.add("Metrics", .lines(["(not reported yet)"]))
            return sections.render()
        }
        sections.add("Metrics (sampled \(Units.ago(metrics.time, now: now)))", .fields(Self.summary(metrics)))
        if let filesystems = metrics.filesystems, !filesystems.isEmpty {
            sections.add("Filesystems", .table(Self.filesystems(filesystems)))
        }
        if let network = metrics.network, !network.isEmpty {
            sections.add("Network", .table(Table(
                headers: ["INTERFACE", "RECEIVED", "SENT"],
                rows: network.map { [$0.interface, Units.bytes($0.rxBytes), Units.bytes($0.txBytes)] }
            )))
        }
        if let temperatures = metrics.temperatures, !temperatures.isEmpty {
            sections.add("Temperatures", .table(Table(
                headers: ["SENSOR", "TEMP"],
                rows: temperatures.map { [$0.sensor, String(format: "%.1f", $0.celsius) + "°C"] }
            )))
        }
        if let docker = metrics.docker {
            sections.add("Docker", .fields([
                ("Version", "\(docker.version) (API \(docker.apiVersion))"),
                ("Containers", "\(docker.containersRunning) running, \(docker.containersPaused) paused, \(docker.containersStopped) stopped"),
                ("Images", "\(docker.images)"),
            ]))
        } else {
            sections.add("Docker", .lines(["(not running or not reachable)"]))
        }
        return sections.render()
    }

    private var identity: [(String, String)] {
        [
            ("ID", device.id),
            ("Status", style.status(device.status)),
            ("Address", device.address ?? "-"),
            ("Key", device.keyFingerprint),
            ("Joined", "\(Units.timestamp(device.createdAt)) (\(Units.ago(device.createdAt, now: now)))"),
            ("Last seen", device.lastSeenAt.map { "\(Units.ago($0, now: now)) (\(Units.timestamp($0)))" } ?? "-"),
        ]
    }

    /// The fields of the Facts section.
    static func facts(_ facts: DeviceFacts, now: Date) -> [(String, String)] {
        var fields: [(String, String)] = [
            ("Hostname", facts.hostname),
            ("Architecture", facts.architecture),
            ("Kernel", facts.kernel ?? "-"),
            ("OS", facts.os.flatMap { $0.prettyName ?? DeviceTable.osName($0) } ?? "-"),
            ("CPU", facts.cpu.model ?? "-"),
            ("Cores", "\(facts.cpu.cores)"),
            ("Max frequency", facts.cpu.maxFrequencyMHz.map { "\(Int($0.rounded())) MHz" } ?? "-"),
            ("Memory", facts.memoryBytes.map(Units.bytes) ?? "-"),
            ("Swap", facts.swapBytes.map(Units.bytes) ?? "-"),
            ("Board", facts.boardModel ?? "-"),
            ("Booted", facts.bootTime.map { "\(Units.timestamp($0)) (\(Units.ago($0, now: now)))" } ?? "-"),
            ("Agent", facts.agentVersion),
        ]
        if let profile = facts.profile {
            fields.append(("Profile", profileText(profile)))
        }
        return fields
    }

    /// A declared profile in one line: `simulated: 8.0G RAM, 2.0T disk, 4 cores, always on, 15 W`.
    static func profileText(_ profile: HardwareProfile) -> String {
        var parts: [String] = []
        if let memory = profile.memoryBytes { parts.append("\(Units.bytes(memory)) RAM") }
        if let disk = profile.diskBytes { parts.append("\(Units.bytes(disk)) disk") }
        if let cores = profile.cores { parts.append(cores == 1 ? "1 core" : "\(cores) cores") }
        if let architecture = profile.architecture { parts.append(architecture) }
        if let alwaysOn = profile.alwaysOn { parts.append(alwaysOn ? "always on" : "not always on") }
        if let watts = profile.watts { parts.append("\(watts.formatted(.number.precision(.fractionLength(0...1)))) W") }
        return (profile.simulated ? "simulated: " : "declared: ") + (parts.isEmpty ? "no limits" : parts.joined(separator: ", "))
    }

    /// The fields of the Metrics section.
    static func summary(_ metrics: MetricsSample) -> [(String, String)] {
        [
            ("CPU", metrics.cpu.map { cpu in
                let cores = cpu.perCorePercent.map(Units.percent).joined(separator: " ")
                return cores.isEmpty ? Units.percent(cpu.totalPercent) : "\(Units.percent(cpu.totalPercent)) (per core: \(cores))"
            } ?? "-"),
            ("Load", metrics.load.map { "\(Units.decimal($0.one)) \(Units.decimal($0.five)) \(Units.decimal($0.fifteen)) (1, 5, 15 min)" } ?? "-"),
            ("Memory", metrics.memory.map {
                "\(Units.bytes($0.usedBytes)) used of \(Units.bytes($0.totalBytes)) (\(Units.share($0.usedBytes, of: $0.totalBytes))), \(Units.bytes($0.availableBytes)) available"
            } ?? "-"),
            ("Swap", metrics.memory.map {
                $0.swapTotalBytes == 0 ? "none" : "\(Units.bytes($0.swapUsedBytes)) used of \(Units.bytes($0.swapTotalBytes)) (\(Units.share($0.swapUsedBytes, of: $0.swapTotalBytes)))"
            } ?? "-"),
            ("Uptime", metrics.uptimeSeconds.map { Units.duration(seconds: $0) } ?? "-"),
        ]
    }

    /// The Filesystems table.
    static func filesystems(_ filesystems: [FilesystemUsage]) -> Table {
        Table(
            headers: ["MOUNT", "DEVICE", "TYPE", "USED", "SIZE", "USE%", "AVAILABLE"],
            rows: filesystems.map {
                [$0.mountPoint, $0.device, $0.type, Units.bytes($0.usedBytes), Units.bytes($0.sizeBytes), Units.share($0.usedBytes, of: $0.sizeBytes), Units.bytes($0.availableBytes)]
            }
        )
    }
}
