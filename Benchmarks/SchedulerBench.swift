import Foundation
import Recipes
import Scheduler
import TestSupport

/// The scheduler's speed (homelabs generated from fixed seeds, `SplitMix64`), and its placement quality beside Nomad's BestFit-v3 and Kubernetes'
/// LeastAllocated + BalancedAllocation (the published formulas), on the same generated homelabs and
/// app streams. Every strategy gets the same hard filters (architecture, free RAM and storage); only
/// ours knows about always-on devices, as preferences.
enum SchedulerBench {
    static let gib: Int64 = 1 << 30

    /// A NAS, Pis, Pi Zeros, laptops and mini PCs in the proportions of a homelab.
    static func devices(_ count: Int, _ random: inout SplitMix64) -> [DeviceState] {
        (0..<count).map { index in
            let name = String(format: "dev-%05d", index)
            switch Int.random(in: 0..<10, using: &random) {
            case 0: return DeviceState(name: name, architecture: "x86_64", cores: 4, cpuMHz: 2000, cpuBusyPercent: 10, memoryTotalBytes: 16 * gib,
                                       memoryAvailableBytes: 14 * gib, storageTotalBytes: 4096 * gib, storageAvailableBytes: 3000 * gib,
                                       alwaysOn: true, watts: 30, availability: 0.999)
            case 1, 2, 3: return DeviceState(name: name, architecture: "aarch64", cores: 4, cpuMHz: 1800, cpuBusyPercent: 15,
                                             memoryTotalBytes: 8 * gib, memoryAvailableBytes: 7 * gib, storageTotalBytes: 128 * gib,
                                             storageAvailableBytes: 100 * gib, alwaysOn: true, watts: 6, availability: 0.995)
            case 4: return DeviceState(name: name, architecture: "armv7l", cores: 1, cpuMHz: 1000, cpuBusyPercent: 5, memoryTotalBytes: 512 << 20,
                                       memoryAvailableBytes: 400 << 20, storageTotalBytes: 16 * gib, storageAvailableBytes: 10 * gib,
                                       alwaysOn: true, watts: 1, availability: 0.98)
            case 5, 6, 7: return DeviceState(name: name, architecture: "x86_64", cores: 8, cpuMHz: 3000, cpuBusyPercent: 25,
                                             memoryTotalBytes: 16 * gib, memoryAvailableBytes: 12 * gib, storageTotalBytes: 512 * gib,
                                             storageAvailableBytes: 300 * gib, alwaysOn: false, watts: 45, availability: 0.6)
            default: return DeviceState(name: name, architecture: "x86_64", cores: 4, cpuMHz: 2500, cpuBusyPercent: 10, memoryTotalBytes: 32 * gib,
                                        memoryAvailableBytes: 30 * gib, storageTotalBytes: 1024 * gib, storageAvailableBytes: 800 * gib,
                                        alwaysOn: true, watts: 15, availability: 0.99)
            }
        }
    }

    /// Apps as homelabs run them: a third must be always on (DNS, passwords, home automation).
    static func apps(_ count: Int, _ random: inout SplitMix64) -> [PlacementRequest] {
        (0..<count).map { index in
            let alwaysOn = Int.random(in: 0..<3, using: &random) == 0
            let memory = [128 << 20, 256 << 20, 512 << 20, gib, 2 * gib][Int.random(in: 0..<5, using: &random)]
            let storage = [gib, 5 * gib, 20 * gib][Int.random(in: 0..<3, using: &random)]
            let component = PlacementRequest.Component(name: "app", memoryBytes: memory, storageBytes: storage, cpuWeight: Int.random(in: 1...3, using: &random),
                                                       prefer: alwaysOn ? [.alwaysOn, .lowPower] : [])
            return PlacementRequest(recipe: "app-\(index)", category: ["media", "network", "files", "monitoring"][index % 4],
                                    architectures: [.amd64, .arm64], components: [component])
        }
    }

    enum Strategy: String, CaseIterable {
        case ours = "homelab"
        case bestFit = "Nomad BestFit-v3"
        case leastBalanced = "k8s LeastAllocated+Balanced"
    }

    struct Quality {
        var placed = 0
        /// Mean RAM in use on the devices apps could use, when the first app failed.
        var memoryUsedPercent = 0.0
        var alwaysOnApps = 0
        var alwaysOnOnAlwaysOn = 0
    }

    /// Places `apps` one after another until the first that fits nowhere.
    static func quality(_ strategy: Strategy, devices start: [DeviceState], apps: [PlacementRequest]) -> Quality {
        let scheduler = Scheduler()
        var devices = start
        var cpuUsed = [String: Double]()
        var quality = Quality()
        for app in apps {
            let component = app.components[0]
            let index: Int?
            switch strategy {
            case .ours:
                index = scheduler.plan(ClusterSnapshot(takenAt: Date(timeIntervalSince1970: 0), devices: devices), app).placements.first
                    .flatMap { placement in devices.firstIndex { $0.name == placement.devices["app"] } }
            case .bestFit, .leastBalanced:
                var best: (index: Int, score: Double)?
                for (i, device) in devices.enumerated() {
                    guard let free = device.memoryAvailableBytes, let total = device.memoryTotalBytes, free >= component.memoryBytes,
                          (device.storageAvailableBytes ?? 0) >= component.storageBytes,
                          let arch = RecipeArchitecture(machine: device.architecture ?? ""), app.architectures.contains(arch) else { continue }
                    let capacity = Double(device.cores ?? 1) * (device.cpuMHz ?? 1500) / 1000
                    let cpuAfter = (cpuUsed[device.name, default: capacity * (device.cpuBusyPercent ?? 0) / 100] + 0.5 * Double(component.cpuWeight)) / capacity
                    let memAfter = 1 - Double(free - component.memoryBytes) / Double(total)
                    let score: Double
                    if strategy == .bestFit {
                        // Nomad: 20 - (10^freeCpu + 10^freeMem), free shares after placement; packs tightly.
                        score = 20 - (pow(10, max(0, 1 - cpuAfter)) + pow(10, max(0, 1 - memAfter)))
                    } else {
                        // Kubernetes: LeastAllocated (mean free share × 100) + BalancedAllocation ((1 - |cpu - mem| / 2) × 100).
                        let least = ((1 - min(1, cpuAfter)) + (1 - memAfter)) / 2 * 100
                        let balanced = (1 - abs(min(1, cpuAfter) - memAfter) / 2) * 100
                        score = least + balanced
                    }
                    if best == nil || score > best!.score || (score == best!.score && device.name < devices[best!.index].name) { best = (i, score) }
                }
                index = best?.index
            }
            guard let index else { break }
            let capacity = Double(devices[index].cores ?? 1) * (devices[index].cpuMHz ?? 1500) / 1000
            cpuUsed[devices[index].name, default: capacity * (devices[index].cpuBusyPercent ?? 0) / 100] += 0.5 * Double(component.cpuWeight)
            devices[index].reserve(component, recipe: app.recipe, category: app.category)
            quality.placed += 1
            if component.prefer.contains(.alwaysOn) {
                quality.alwaysOnApps += 1
                if devices[index].effectiveTraits.contains(.alwaysOn) { quality.alwaysOnOnAlwaysOn += 1 }
            }
        }
        // Mean RAM in use over the devices an app could use (Pi Zeros take none of these apps), when the first app failed.
        let usable = devices.filter { ($0.memoryTotalBytes ?? 0) > 1 << 30 }
        quality.memoryUsedPercent = usable.compactMap { device in
            device.memoryTotalBytes.flatMap { total in device.memoryAvailableBytes.map { 100 * (1 - Double($0) / Double(total)) } }
        }.reduce(0, +) / Double(max(1, usable.count))
        return quality
    }

    static func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

    static func run(seeds: Int = 10) {
        var random = SplitMix64(seed: 42)
        let scheduler = Scheduler()
        let request = apps(1, &random)[0]
        let big = devices(10_000, &random)
        let rankTimes = (0..<5).map { _ in
            let start = ContinuousClock.now
            _ = scheduler.rank(big, for: request.components[0], request: request)
            return (ContinuousClock.now - start) / .milliseconds(1)
        }
        print("\n== scheduler: speed (release build, medians)")
        print(pad("rank 10,000 devices for one request", 52) + fmt(median(rankTimes)) + " ms")
        let hundred = devices(100, &random)
        let stream = apps(1_000, &random)
        var state = hundred
        var placements: [Double] = []
        for app in stream {
            let start = ContinuousClock.now
            let plan = scheduler.plan(ClusterSnapshot(takenAt: Date(timeIntervalSince1970: 0), devices: state), app)
            placements.append((ContinuousClock.now - start) / .milliseconds(1))
            if let name = plan.placements.first?.devices["app"], let index = state.firstIndex(where: { $0.name == name }) {
                state[index].reserve(app.components[0], recipe: app.recipe, category: app.category)
            }
        }
        print(pad("place 1,000 apps one after another on 100 devices", 52) + fmt(median(placements), 2) + " ms per app, "
              + fmt(placements.reduce(0, +) / 1000, 2) + " s in all")

        print("\n== scheduler: placement quality on generated homelabs (same devices, same app stream, until the first app fits nowhere;")
        print("   means over \(seeds) generated homelabs of each size)")
        print(pad("", 30) + pad("apps placed", 14) + pad("mean RAM used %", 17) + "always-on apps on always-on devices")
        var homelabs = 0, atLeastAsMany = 0
        for (label, count) in [("20 devices, 400 apps", 20), ("50 devices, 1,000 apps", 50), ("100 devices, 2,000 apps", 100)] {
            print(label)
            // Apps placed per homelab (seed), by strategy: ours must place at least as many as each baseline on every one.
            var placedBySeed: [Strategy: [Int]] = [:]
            for strategy in Strategy.allCases {
                var total = Quality()
                for seed in 1...seeds {
                    var random = SplitMix64(seed: UInt64(count * 1000 + seed))
                    let lab = devices(count, &random)
                    let quality = quality(strategy, devices: lab, apps: apps(count * 20, &random))
                    placedBySeed[strategy, default: []].append(quality.placed)
                    total.placed += quality.placed
                    total.memoryUsedPercent += quality.memoryUsedPercent
                    total.alwaysOnApps += quality.alwaysOnApps
                    total.alwaysOnOnAlwaysOn += quality.alwaysOnOnAlwaysOn
                }
                let n = Double(seeds)
                print(pad("  " + strategy.rawValue, 30) + pad(fmt(Double(total.placed) / n), 14) + pad(fmt(total.memoryUsedPercent / n), 17)
                      + fmt(100 * Double(total.alwaysOnOnAlwaysOn) / Double(max(1, total.alwaysOnApps))) + " %")
            }
            let ours = placedBySeed[Strategy.allCases[0]] ?? []
            for seed in ours.indices {
                homelabs += 1
                if Strategy.allCases.dropFirst().allSatisfy({ ours[seed] >= (placedBySeed[$0]?[seed] ?? .max) }) { atLeastAsMany += 1 }
            }
        }
        print("homelabs where ours placed at least as many apps as every baseline: \(atLeastAsMany) of \(homelabs)")
    }
}
