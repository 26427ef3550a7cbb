import Foundation
import Recipes
import Scheduler
import TestSupport

/// The scheduler's speed, and its placement quality beside Nomad's BestFit-v3 and Kubernetes' LeastAllocated +
/// BalancedAllocation (the published formulas) on homelabs and app streams made by several generators from fixed
/// seeds (`SplitMix64`): device mixes from a 4-device home to 100 devices, app mixes from the catalog's own recipes
/// to storage-heavy media. Every strategy gets the same hard filters (architecture, free RAM and storage, the
/// recipe's hard always-on requirement); only ours knows about always-on devices as a preference.
enum SchedulerBench {
    static let gib: Int64 = 1 << 30
    static let mib: Int64 = 1 << 20

    /// The kinds of device homelabs are made of, with typical figures.
    enum Kind: CaseIterable {
        case nas, smallNAS, pi4, smallPi4, pi5, piZero, laptop, miniPC, n100, desktop

        func device(_ name: String) -> DeviceState {
            switch self {
            case .nas: DeviceState(name: name, architecture: "x86_64", cores: 4, cpuMHz: 2000, cpuBusyPercent: 10, memoryTotalBytes: 16 * gib,
                                   memoryAvailableBytes: 14 * gib, storageTotalBytes: 4096 * gib, storageAvailableBytes: 3000 * gib,
                                   alwaysOn: true, watts: 30, availability: 0.999)
            case .smallNAS: DeviceState(name: name, architecture: "x86_64", cores: 4, cpuMHz: 2000, cpuBusyPercent: 10, memoryTotalBytes: 8 * gib,
                                        memoryAvailableBytes: 7 * gib, storageTotalBytes: 2048 * gib, storageAvailableBytes: 1500 * gib,
                                        alwaysOn: true, watts: 15, availability: 0.999)
            case .pi4: DeviceState(name: name, architecture: "aarch64", cores: 4, cpuMHz: 1800, cpuBusyPercent: 15, memoryTotalBytes: 8 * gib,
                                   memoryAvailableBytes: 7 * gib, storageTotalBytes: 128 * gib, storageAvailableBytes: 100 * gib,
                                   alwaysOn: true, watts: 6, availability: 0.995)
            case .smallPi4: DeviceState(name: name, architecture: "aarch64", cores: 4, cpuMHz: 1500, cpuBusyPercent: 10, memoryTotalBytes: 2 * gib,
                                        memoryAvailableBytes: 1800 * mib, storageTotalBytes: 16 * gib, storageAvailableBytes: 6 * gib,
                                        alwaysOn: true, watts: 5, availability: 0.99)
            case .pi5: DeviceState(name: name, architecture: "aarch64", cores: 4, cpuMHz: 2400, cpuBusyPercent: 10, memoryTotalBytes: 8 * gib,
                                   memoryAvailableBytes: 7500 * mib, storageTotalBytes: 256 * gib, storageAvailableBytes: 230 * gib,
                                   alwaysOn: true, watts: 8, availability: 0.995)
            case .piZero: DeviceState(name: name, architecture: "armv7l", cores: 1, cpuMHz: 1000, cpuBusyPercent: 5, memoryTotalBytes: 512 * mib,
                                      memoryAvailableBytes: 400 * mib, storageTotalBytes: 16 * gib, storageAvailableBytes: 10 * gib,
                                      alwaysOn: true, watts: 1, availability: 0.98)
            case .laptop: DeviceState(name: name, architecture: "x86_64", cores: 8, cpuMHz: 3000, cpuBusyPercent: 25, memoryTotalBytes: 16 * gib,
                                      memoryAvailableBytes: 12 * gib, storageTotalBytes: 512 * gib, storageAvailableBytes: 300 * gib,
                                      alwaysOn: false, watts: 45, availability: 0.6)
            case .miniPC: DeviceState(name: name, architecture: "x86_64", cores: 4, cpuMHz: 2500, cpuBusyPercent: 10, memoryTotalBytes: 32 * gib,
                                      memoryAvailableBytes: 30 * gib, storageTotalBytes: 1024 * gib, storageAvailableBytes: 800 * gib,
                                      alwaysOn: true, watts: 15, availability: 0.99)
            case .n100: DeviceState(name: name, architecture: "x86_64", cores: 4, cpuMHz: 3400, cpuBusyPercent: 5, memoryTotalBytes: 16 * gib,
                                    memoryAvailableBytes: 15 * gib, storageTotalBytes: 512 * gib, storageAvailableBytes: 480 * gib,
                                    alwaysOn: true, watts: 8, availability: 0.995)
            case .desktop: DeviceState(name: name, architecture: "x86_64", cores: 8, cpuMHz: 3600, cpuBusyPercent: 20, memoryTotalBytes: 32 * gib,
                                       memoryAvailableBytes: 28 * gib, storageTotalBytes: 2048 * gib, storageAvailableBytes: 1500 * gib,
                                       alwaysOn: false, watts: 80, availability: 0.5)
            }
        }
    }

    /// A device mix: how a homelab of `count` devices is drawn.
    enum DeviceMix: String {
        /// 10 % NAS, 30 % Pi 4, 10 % Pi Zero, 30 % laptops, 20 % mini PCs.
        case mixed = "mixed homelab"
        /// One NAS, then Pis, a Pi Zero, a laptop, a mini PC or an old desktop: what most people have.
        case small = "small homelab"
        /// One small NAS and Raspberry Pis of every size.
        case piCluster = "Pi cluster"
        /// x86 boxes: a NAS, mini PCs, laptops and desktops that are not always on.
        case x86 = "x86 boxes"

        func devices(_ count: Int, _ random: inout SplitMix64) -> [DeviceState] {
            (0..<count).map { index in
                let name = String(format: "dev-%05d", index)
                let kinds: [Kind] = switch self {
                case .mixed: [.nas, .pi4, .pi4, .pi4, .piZero, .laptop, .laptop, .laptop, .miniPC, .miniPC]
                case .small: index == 0 ? [.nas, .smallNAS] : [.pi4, .pi4, .smallPi4, .pi5, .piZero, .laptop, .n100, .desktop]
                case .piCluster: index == 0 ? [.smallNAS] : [.pi4, .pi4, .smallPi4, .pi5, .pi5, .piZero]
                case .x86: [.nas, .miniPC, .n100, .n100, .laptop, .laptop, .desktop]
                }
                return kinds[Int.random(in: 0..<kinds.count, using: &random)].device(name)
            }
        }
    }

    /// An app mix: the stream of apps placed one after another.
    enum AppMix: String {
        /// 128 MB to 2 GB, 1-20 GB of data, a third preferring always-on, low-power devices.
        case mixed = "mixed apps"
        /// The catalog's own recipes (`recipes/`), each component an app.
        case catalog = "catalog apps"
        /// Media and storage: 512 MB to 4 GB, 10-200 GB of data, heavy CPU, a fifth preferring always-on devices.
        case heavy = "heavy apps"

        func apps(_ count: Int, _ random: inout SplitMix64) -> [PlacementRequest] {
            (0..<count).map { index in
                switch self {
                case .mixed:
                    let alwaysOn = Int.random(in: 0..<3, using: &random) == 0
                    let memory = [128 * mib, 256 * mib, 512 * mib, gib, 2 * gib][Int.random(in: 0..<5, using: &random)]
                    let storage = [gib, 5 * gib, 20 * gib][Int.random(in: 0..<3, using: &random)]
                    let component = PlacementRequest.Component(name: "app", memoryBytes: memory, storageBytes: storage,
                                                               cpuWeight: Int.random(in: 1...3, using: &random), prefer: alwaysOn ? [.alwaysOn, .lowPower] : [])
                    return PlacementRequest(recipe: "app-\(index)", category: ["media", "network", "files", "monitoring"][index % 4],
                                            architectures: [.amd64, .arm64], components: [component])
                case .catalog:
                    var app = SchedulerBench.catalog[Int.random(in: 0..<SchedulerBench.catalog.count, using: &random)]
                    app.recipe += "-\(index)"
                    return app
                case .heavy:
                    let alwaysOn = Int.random(in: 0..<5, using: &random) == 0
                    let storageLover = Int.random(in: 0..<3, using: &random) == 0
                    let memory = [512 * mib, gib, 2 * gib, 4 * gib][Int.random(in: 0..<4, using: &random)]
                    let storage = [10 * gib, 50 * gib, 100 * gib, 200 * gib][Int.random(in: 0..<4, using: &random)]
                    let prefer: [DeviceTrait] = (alwaysOn ? [.alwaysOn] : []) + (storageLover ? [.storageOptimized] : [])
                    let component = PlacementRequest.Component(name: "app", memoryBytes: memory, storageBytes: storage,
                                                               cpuWeight: Int.random(in: 2...6, using: &random), prefer: prefer)
                    return PlacementRequest(recipe: "media-\(index)", category: "media", architectures: [.amd64, .arm64], components: [component])
                }
            }
        }
    }

    /// Every component of every recipe in `recipes/` as an app of its own (its ports left out: the benchmark measures room).
    static let catalog: [PlacementRequest] = {
        let folder = URL(fileURLWithPath: "recipes")
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".yaml") }.sorted()
        return files.compactMap { try? RecipeLoader.load(path: folder.appendingPathComponent($0).path) }.flatMap { recipe in
            let request = PlacementRequest(recipe: recipe)
            return request.components.map { component in
                var single = component
                single.ports = []
                single.links = []
                return PlacementRequest(recipe: "\(recipe.id)-\(component.name)", category: request.category, architectures: request.architectures,
                                        components: [single])
            }
        }
    }()

    /// One generator: a device mix and an app mix at one homelab size, over `seeds` homelabs.
    struct Generator {
        var devices: DeviceMix
        var apps: AppMix
        /// Devices per homelab: a fixed count, or a range drawn per homelab.
        var size: ClosedRange<Int>
        var seeds: Int

        var label: String {
            "\(devices.rawValue), \(size.lowerBound == size.upperBound ? "\(size.lowerBound)" : "\(size.lowerBound)-\(size.upperBound)") devices, \(apps.rawValue)"
        }
    }

    static let generators: [Generator] = [
        Generator(devices: .mixed, apps: .mixed, size: 20...20, seeds: 10),
        Generator(devices: .mixed, apps: .mixed, size: 50...50, seeds: 10),
        Generator(devices: .mixed, apps: .mixed, size: 100...100, seeds: 10),
        Generator(devices: .small, apps: .catalog, size: 4...8, seeds: 50),
        Generator(devices: .small, apps: .mixed, size: 4...8, seeds: 50),
        Generator(devices: .piCluster, apps: .catalog, size: 10...10, seeds: 20),
        Generator(devices: .x86, apps: .heavy, size: 12...12, seeds: 20),
        Generator(devices: .mixed, apps: .heavy, size: 50...50, seeds: 10),
    ]

    enum Strategy: String, CaseIterable {
        case ours = "homelab"
        case bestFit = "Nomad BestFit-v3"
        case leastBalanced = "k8s LeastAllocated+Balanced"
    }

    struct Quality {
        var placed = 0
        /// Shares of RAM, storage and CPU in use over the devices that took apps, when the first app failed.
        var memoryUsed = 0.0
        var storageUsed = 0.0
        var cpuUsed = 0.0
        var alwaysOnApps = 0
        var alwaysOnOnAlwaysOn = 0

        static func + (a: Quality, b: Quality) -> Quality {
            Quality(placed: a.placed + b.placed, memoryUsed: a.memoryUsed + b.memoryUsed, storageUsed: a.storageUsed + b.storageUsed,
                    cpuUsed: a.cpuUsed + b.cpuUsed, alwaysOnApps: a.alwaysOnApps + b.alwaysOnApps, alwaysOnOnAlwaysOn: a.alwaysOnOnAlwaysOn + b.alwaysOnOnAlwaysOn)
        }
    }

    /// Places `apps` one after another until the first that fits nowhere.
    static func quality(_ strategy: Strategy, devices start: [DeviceState], apps: [PlacementRequest]) -> Quality {
        let scheduler = Scheduler()
        var devices = start
        // CPU in use, GHz: what the device was busy with, plus half a GHz per unit of CPU weight placed.
        var cpuUsed = Dictionary(uniqueKeysWithValues: start.map { ($0.name, capacity($0) * ($0.cpuBusyPercent ?? 0) / 100) })
        var quality = Quality()
        for app in apps {
            let component = app.components[0]
            let index: Int?
            switch strategy {
            case .ours:
                index = scheduler.plan(ClusterSnapshot(takenAt: Date(timeIntervalSince1970: 0), devices: devices), app).placements.first
                    .flatMap { placement in devices.firstIndex { $0.name == placement.devices[component.name] } }
            case .bestFit, .leastBalanced:
                var best: (index: Int, score: Double)?
                for (i, device) in devices.enumerated() {
                    guard let free = device.memoryAvailableBytes, let total = device.memoryTotalBytes, free >= component.memoryBytes,
                          (device.storageAvailableBytes ?? 0) >= component.storageBytes, !component.alwaysOn || device.alwaysOn == true,
                          let arch = RecipeArchitecture(machine: device.architecture ?? ""), app.architectures.contains(arch) else { continue }
                    let cpuAfter = (cpuUsed[device.name, default: 0] + 0.5 * Double(component.cpuWeight)) / capacity(device)
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
            cpuUsed[devices[index].name, default: 0] += 0.5 * Double(component.cpuWeight)
            devices[index].reserve(component, recipe: app.recipe, category: app.category)
            quality.placed += 1
            if component.alwaysOn || component.prefer.contains(.alwaysOn) {
                quality.alwaysOnApps += 1
                if devices[index].effectiveTraits.contains(.alwaysOn) { quality.alwaysOnOnAlwaysOn += 1 }
            }
        }
        // Use over every device at the first failure (a share of the homelab's total of each resource).
        func share(_ used: (DeviceState) -> Double, _ total: (DeviceState) -> Double) -> Double {
            devices.map(used).reduce(0, +) / max(1, devices.map(total).reduce(0, +))
        }
        quality.memoryUsed = share({ Double(($0.memoryTotalBytes ?? 0) - ($0.memoryAvailableBytes ?? 0)) }, { Double($0.memoryTotalBytes ?? 0) })
        quality.storageUsed = share({ Double(($0.storageTotalBytes ?? 0) - ($0.storageAvailableBytes ?? 0)) }, { Double($0.storageTotalBytes ?? 0) })
        quality.cpuUsed = share({ min(capacity($0), cpuUsed[$0.name, default: 0]) }, capacity)
        return quality
    }

    /// Cores × GHz.
    static func capacity(_ device: DeviceState) -> Double { Double(device.cores ?? 1) * (device.cpuMHz ?? 1500) / 1000 }

    static func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

    static func run() {
        var random = SplitMix64(seed: 42)
        let scheduler = Scheduler()
        let request = AppMix.mixed.apps(1, &random)[0]
        let big = DeviceMix.mixed.devices(10_000, &random)
        let rankTimes = (0..<5).map { _ in
            let start = ContinuousClock.now
            _ = scheduler.rank(big, for: request.components[0], request: request)
            return (ContinuousClock.now - start) / .milliseconds(1)
        }
        print("\n== scheduler: speed (release build, medians)")
        print(pad("rank 10,000 devices for one request", 52) + fmt(median(rankTimes)) + " ms")
        var state = DeviceMix.mixed.devices(100, &random)
        let stream = AppMix.mixed.apps(1_000, &random)
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

        print("\n== scheduler: placement quality (the same homelabs and app streams for every strategy, 20 apps per device, until")
        print("   the first app fits nowhere; means over the homelabs of each generator; use is the homelab's share in use then)")
        print(pad("", 30) + pad("apps placed", 13) + pad("RAM / disk / CPU used", 24) + "always-on apps on always-on devices")
        var homelabs = 0, atLeastAsMany = 0
        for generator in generators {
            print(generator.label + " (\(generator.seeds) homelabs)")
            // Apps placed per homelab, by strategy: ours should place at least as many as Nomad's on every one.
            var placedBySeed: [Strategy: [Int]] = [:]
            for strategy in Strategy.allCases {
                var total = Quality()
                for seed in 1...generator.seeds {
                    var random = SplitMix64(seed: UInt64(generator.size.upperBound * 1000 + seed) &+ UInt64(generator.label.utf8.count))
                    let count = Int.random(in: generator.size, using: &random)
                    let lab = generator.devices.devices(count, &random)
                    let quality = quality(strategy, devices: lab, apps: generator.apps.apps(count * 20, &random))
                    placedBySeed[strategy, default: []].append(quality.placed)
                    total = total + quality
                }
                let n = Double(generator.seeds)
                print(pad("  " + strategy.rawValue, 30) + pad(fmt(Double(total.placed) / n), 13)
                      + pad("\(fmt(total.memoryUsed / n, 2)) / \(fmt(total.storageUsed / n, 2)) / \(fmt(total.cpuUsed / n, 2))", 24)
                      + fmt(100 * Double(total.alwaysOnOnAlwaysOn) / Double(max(1, total.alwaysOnApps))) + " %")
            }
            let ours = placedBySeed[.ours] ?? [], nomad = placedBySeed[.bestFit] ?? []
            let wins = zip(ours, nomad).filter { $0 >= $1 }.count
            print("  ours placed at least as many as Nomad's on \(wins) of \(ours.count)")
            homelabs += ours.count
            atLeastAsMany += wins
        }
        print("homelabs where ours placed at least as many apps as Nomad's BestFit-v3: \(atLeastAsMany) of \(homelabs)")
    }
}
