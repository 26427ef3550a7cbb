import Foundation
import Protocol

/// The `homelab devices list` table.
public struct DeviceTable: Sendable {
    /// The devices, in the order shown.
    public var devices: [DeviceResource]
    /// The time "LAST SEEN" is measured from.
    public var now: Date
    /// Colors for status words.
    public var style: Style

    /// Creates the table.
    public init(devices: [DeviceResource], now: Date, style: Style = Style(colorEnabled: false)) {
        self.devices = devices
        self.now = now
        self.style = style
    }

    /// Column titles.
    public static let headers = ["NAME", "STATUS", "ARCH", "OS", "CPU", "MEM", "DISK", "TEMP", "UPTIME", "LAST SEEN"]

    /// The table text.
    public func render() -> String {
        Table(headers: Self.headers, rows: devices.map(row)).render()
    }

    /// One device's cells; every value the device did not report is `-`.
    public func row(_ device: DeviceResource) -> [String] {
        let metrics = device.metrics
        return [
            device.name,
            style.status(device.status),
            device.facts?.architecture ?? "-",
            device.facts?.os.flatMap(Self.osName) ?? "-",
            metrics?.cpu.map { Units.percent($0.totalPercent) } ?? "-",
            metrics?.memory.map { Units.usage(used: $0.usedBytes, total: $0.totalBytes) } ?? "-",
            metrics.flatMap(Self.mainFilesystem).map { Units.usage(used: $0.usedBytes, total: $0.sizeBytes) } ?? "-",
            metrics?.temperatures.flatMap { $0.map(\.celsius).max() }.map(Units.celsius) ?? "-",
            metrics?.uptimeSeconds.map { Units.duration(seconds: $0) } ?? "-",
            device.lastSeenAt.map { Units.ago($0, now: now) } ?? "-",
        ]
    }

    /// The short OS name: `ID VERSION_ID` (`debian 12`), else the pretty name.
    public static func osName(_ os: OperatingSystem) -> String? {
        if let id = os.id, !id.isEmpty {
            if let version = os.versionID, !version.isEmpty { return "\(id) \(version)" }
            return id
        }
        return os.prettyName
    }

    /// The filesystem mounted at `/`, else the largest one.
    public static func mainFilesystem(_ metrics: MetricsSample) -> FilesystemUsage? {
        guard let filesystems = metrics.filesystems, !filesystems.isEmpty else { return nil }
        return filesystems.first { $0.mountPoint == "/" } ?? filesystems.max { $0.sizeBytes < $1.sizeBytes }
    }
}
