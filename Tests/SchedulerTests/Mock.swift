import Foundation
import Recipes
@testable import Scheduler

/// Fixture factories in Nomad's `mock.Node()` / `mock.Job()` style: each returns a typical device or app with
/// every figure a live homelab reports, and a case changes only what it is about (`Mock.pi4().with { $0.watts = 7 }`).
/// The figures are those of the roadmap's lab (`deploy/lab/lab up --device nas:ram=8G,disk=2T,…`) as its agents report them.
enum Mock {
    static let gib: Int64 = 1 << 30
    static let mib: Int64 = 1 << 20

    /// A NAS: 8 GB, 2 TB, 4 cores at 2 GHz, always on, 15 W, online 99.9 % of 30 days.
    static func nas(_ name: String = "nas") -> DeviceState {
        DeviceState(name: name, architecture: "x86_64", cores: 4, cpuMHz: 2000, cpuBusyPercent: 10, memoryTotalBytes: 8 * gib,
                    memoryAvailableBytes: 7700 * mib, storageTotalBytes: 2048 * gib, storageAvailableBytes: 1500 * gib, alwaysOn: true, watts: 15,
                    availability: 0.999, observedDays: 30, reboots: 0)
    }

    /// A Raspberry Pi 4 with 2 GB and a 16 GB SD card (6 GB free), always on, 5 W.
    static func pi4(_ name: String = "pi4") -> DeviceState {
        DeviceState(name: name, architecture: "aarch64", cores: 4, cpuMHz: 1500, cpuBusyPercent: 15, memoryTotalBytes: 2 * gib,
                    memoryAvailableBytes: 1900 * mib, storageTotalBytes: 16 * gib, storageAvailableBytes: 6 * gib, alwaysOn: true, watts: 5,
                    availability: 0.995, observedDays: 30, reboots: 1)
    }

    /// A Raspberry Pi 4 with 8 GB and a 64 GB card (40 GB free), always on, 5 W.
    static func bigPi4(_ name: String = "pi4") -> DeviceState {
        pi4(name).with {
            $0.memoryTotalBytes = 8 * gib
            $0.memoryAvailableBytes = 7 * gib
            $0.storageTotalBytes = 64 * gib
            $0.storageAvailableBytes = 40 * gib
        }
    }

    /// A Raspberry Pi Zero 2: 512 MB, an 8 GB card, one core at 1 GHz, switched off now and then, 2 W.
    static func piZero(_ name: String = "pizero") -> DeviceState {
        DeviceState(name: name, architecture: "armv7l", cores: 1, cpuMHz: 1000, cpuBusyPercent: 5, memoryTotalBytes: 512 * mib,
                    memoryAvailableBytes: 480 * mib, storageTotalBytes: 8 * gib, storageAvailableBytes: 4 * gib, alwaysOn: false, watts: 2,
                    availability: 0.8, observedDays: 30, reboots: 9)
    }

    /// A laptop that doubles as a server: 16 GB, 512 GB, 8 cores at 3 GHz, often asleep, 45 W.
    static func laptop(_ name: String = "laptop") -> DeviceState {
        DeviceState(name: name, architecture: "x86_64", cores: 8, cpuMHz: 3000, cpuBusyPercent: 20, memoryTotalBytes: 16 * gib,
                    memoryAvailableBytes: 10 * gib, storageTotalBytes: 512 * gib, storageAvailableBytes: 200 * gib, alwaysOn: false, watts: 45,
                    availability: 0.6, observedDays: 30, reboots: 12)
    }

    /// A mini PC (an N100 box): 16 GB, 512 GB, 4 cores at 3.4 GHz, always on, 10 W.
    static func miniPC(_ name: String = "mini-pc") -> DeviceState {
        DeviceState(name: name, architecture: "x86_64", cores: 4, cpuMHz: 3400, cpuBusyPercent: 5, memoryTotalBytes: 16 * gib,
                    memoryAvailableBytes: 14 * gib, storageTotalBytes: 512 * gib, storageAvailableBytes: 400 * gib, alwaysOn: true, watts: 10,
                    availability: 0.998, observedDays: 30, reboots: 1)
    }

    /// An old desktop: 32 GB, 2 TB, 8 cores at 3.6 GHz, on when its owner is, 60 W.
    static func desktop(_ name: String = "desktop") -> DeviceState {
        DeviceState(name: name, architecture: "x86_64", cores: 8, cpuMHz: 3600, cpuBusyPercent: 10, memoryTotalBytes: 32 * gib,
                    memoryAvailableBytes: 28 * gib, storageTotalBytes: 2048 * gib, storageAvailableBytes: 1800 * gib, alwaysOn: false, watts: 60,
                    availability: 0.5, observedDays: 30, reboots: 20)
    }

    /// A one-component app; by default Vaultwarden as the catalog has it (128 MB, 1 GB of data, always-on and low-power preferred).
    static func app(_ recipe: String = "vaultwarden", category: String = "passwords", memory: Int64 = 128 << 20, storage: Int64 = 1 << 30,
                    cpuWeight: Int = 1, prefer: [DeviceTrait] = [.alwaysOn, .lowPower], alwaysOn: Bool = false, gpu: Bool = false,
                    ports: [String] = [], architectures: [RecipeArchitecture] = [.amd64, .arm64, .armv7]) -> PlacementRequest {
        PlacementRequest(recipe: recipe, category: category, architectures: architectures, components: [
            .init(name: "app", memoryBytes: memory, storageBytes: storage, cpuWeight: cpuWeight, gpu: gpu, alwaysOn: alwaysOn, prefer: prefer, ports: ports),
        ])
    }

    /// The homelab as a snapshot taken at a fixed moment.
    static func homelab(_ devices: [DeviceState]) -> ClusterSnapshot {
        ClusterSnapshot(takenAt: Date(timeIntervalSince1970: 1_800_000_000), metricsWindowSeconds: 900, devices: devices)
    }
}

extension DeviceState {
    /// A copy with `change` applied.
    func with(_ change: (inout DeviceState) -> Void) -> DeviceState {
        var copy = self
        change(&copy)
        return copy
    }
}

extension PlacementRequest {
    /// A copy with `change` applied to its only component.
    func with(_ change: (inout PlacementRequest.Component) -> Void) -> PlacementRequest {
        var copy = self
        change(&copy.components[0])
        return copy
    }
}
