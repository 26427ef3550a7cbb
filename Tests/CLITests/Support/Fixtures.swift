import Foundation
import Protocol

/// Devices and tokens as the controller would send them, for table and JSON tests.
enum Fixtures {
    /// The time relative columns are measured from: 2025-03-01T12:00:00Z.
    static let now = Date(timeIntervalSince1970: 1_740_830_400)

    static let gib: UInt64 = 1 << 30
    static let mib: UInt64 = 1 << 20

    /// A Raspberry Pi that reported everything.
    static let pi = DeviceResource(
        id: "d-6f1c", name: "pi-4", status: .online, keyFingerprint: "SHA256:q1w2e3r4t5y6u7i8o9p0",
        labels: ["room": "living", "tier": "edge"], address: "192.168.1.20",
        createdAt: now.addingTimeInterval(-3 * 86_400), lastSeenAt: now.addingTimeInterval(-5),
        facts: DeviceFacts(
            hostname: "pi-4", architecture: "aarch64", kernel: "6.6.31+rpt-rpi-v8",
            os: OperatingSystem(id: "debian", prettyName: "Debian GNU/Linux 12 (bookworm)", versionID: "12"),
            cpu: CPUInfo(model: "Cortex-A72", cores: 4, maxFrequencyMHz: 1800),
            memoryBytes: 4 * gib - 200 * mib, swapBytes: 100 * mib,
            boardModel: "Raspberry Pi 4 Model B Rev 1.4", bootTime: now.addingTimeInterval(-(3 * 86_400 + 4 * 3600 + 120)),
            agentVersion: "0.1.0"
        ),
        metrics: MetricsSample(
            time: now.addingTimeInterval(-5),
            cpu: CPUUsage(totalPercent: 12.4, perCorePercent: [10, 14.6, 9, 15]),
            load: LoadAverage(one: 0.52, five: 0.48, fifteen: 0.4),
            memory: MemoryUsage(totalBytes: 4 * gib - 200 * mib, availableBytes: 2 * gib + 600 * mib, swapTotalBytes: 100 * mib, swapUsedBytes: 0),
            filesystems: [
                FilesystemUsage(mountPoint: "/boot/firmware", device: "/dev/mmcblk0p1", type: "vfat", sizeBytes: 510 * mib, usedBytes: 64 * mib, availableBytes: 446 * mib),
                FilesystemUsage(mountPoint: "/", device: "/dev/mmcblk0p2", type: "ext4", sizeBytes: 29 * gib, usedBytes: 6 * gib + 300 * mib, availableBytes: 21 * gib),
            ],
            network: [NetworkCounters(interface: "eth0", rxBytes: 12 * gib, txBytes: 800 * mib)],
            uptimeSeconds: 3 * 86_400 + 4 * 3600 + 120,
            temperatures: [TemperatureReading(sensor: "cpu-thermal", celsius: 48.7), TemperatureReading(sensor: "rp1_adc", celsius: 41)],
            docker: DockerStatus(version: "28.2.2", apiVersion: "1.50", containersRunning: 3, containersPaused: 0, containersStopped: 1, images: 5)
        )
    )

    /// A NAS without a root filesystem in its list and without sensors.
    static let nas = DeviceResource(
        id: "d-91aa", name: "nas", status: .offline, keyFingerprint: "SHA256:nasnasnas",
        createdAt: now.addingTimeInterval(-30 * 86_400), lastSeenAt: now.addingTimeInterval(-2 * 3600 - 30),
        facts: DeviceFacts(hostname: "nas", architecture: "x86_64", os: OperatingSystem(id: nil, prettyName: "TrueNAS SCALE", versionID: nil),
                           cpu: CPUInfo(model: nil, cores: 2, maxFrequencyMHz: nil), agentVersion: "0.1.0"),
        metrics: MetricsSample(
            time: now.addingTimeInterval(-2 * 3600 - 30),
            memory: MemoryUsage(totalBytes: 16 * gib, availableBytes: 4 * gib, swapTotalBytes: 0, swapUsedBytes: 0),
            filesystems: [
                FilesystemUsage(mountPoint: "/mnt/tank", device: "tank", type: "zfs", sizeBytes: 7 * 1024 * gib, usedBytes: 3 * 1024 * gib, availableBytes: 4 * 1024 * gib),
                FilesystemUsage(mountPoint: "/mnt/small", device: "small", type: "zfs", sizeBytes: 100 * gib, usedBytes: 1 * gib, availableBytes: 99 * gib),
            ],
            uptimeSeconds: 45
        )
    )

    /// A device that asked to join and reported nothing yet.
    static let newcomer = DeviceResource(
        id: "d-0003", name: "pi-zero", status: .pending, keyFingerprint: "SHA256:zerozero",
        createdAt: now.addingTimeInterval(-60)
    )

    static let devices = [pi, nas, newcomer]

    static let token = TokenResource(
        id: "tk-1", reusable: true, labels: ["room": "attic"], description: "attic Pis",
        createdAt: now.addingTimeInterval(-3600), expiresAt: now.addingTimeInterval(23 * 3600), uses: 2, revoked: false
    )
}
