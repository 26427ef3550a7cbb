import Foundation
import Recipes
@testable import Scheduler

/// The roadmap's homelab, as a snapshot: a NAS, a Pi 4 low on storage, a Pi Zero, a laptop.
enum Lab {
    static let gib: Int64 = 1 << 30

    static var nas: DeviceState {
        DeviceState(name: "nas", architecture: "x86_64", cores: 4, cpuMHz: 2000, cpuBusyPercent: 10, memoryTotalBytes: 16 * gib,
                    memoryAvailableBytes: 8 * gib, storageTotalBytes: 4096 * gib, storageAvailableBytes: 2048 * gib, alwaysOn: true, watts: 25,
                    availability: 0.999)
    }
    static var pi4: DeviceState {
        DeviceState(name: "pi-4", architecture: "aarch64", cores: 4, cpuMHz: 1500, cpuBusyPercent: 20, memoryTotalBytes: 4 * gib,
                    memoryAvailableBytes: 3 * gib, storageTotalBytes: 32 * gib, storageAvailableBytes: 4 * gib, alwaysOn: true, watts: 6,
                    availability: 0.995)
    }
    static var piZero: DeviceState {
        DeviceState(name: "pi-zero", architecture: "armv7l", cores: 1, cpuMHz: 1000, cpuBusyPercent: 5, memoryTotalBytes: 512 << 20,
                    memoryAvailableBytes: 400 << 20, storageTotalBytes: 16 * gib, storageAvailableBytes: 10 * gib, alwaysOn: true, watts: 1,
                    availability: 0.97)
    }
    static var laptop: DeviceState {
        DeviceState(name: "laptop", architecture: "x86_64", cores: 8, cpuMHz: 3000, cpuBusyPercent: 30, memoryTotalBytes: 16 * gib,
                    memoryAvailableBytes: 10 * gib, storageTotalBytes: 512 * gib, storageAvailableBytes: 200 * gib, alwaysOn: false, watts: 45,
                    availability: 0.6, reboots: 12)
    }

    static func snapshot(_ devices: [DeviceState]) -> ClusterSnapshot {
        ClusterSnapshot(takenAt: Date(timeIntervalSince1970: 1_800_000_000), devices: devices)
    }

    /// A one-component app: 1 GB RAM, 2 GB storage, always on, every architecture.
    static func vault(architectures: [RecipeArchitecture] = [.amd64, .arm64, .armv7], ports: [String] = ["8222/tcp"]) -> PlacementRequest {
        PlacementRequest(recipe: "vaultwarden", category: "passwords", architectures: architectures,
                         components: [.init(name: "app", memoryBytes: gib, storageBytes: 2 * gib, alwaysOn: true, prefer: [.alwaysOn, .lowPower], ports: ports)])
    }
}
