import Foundation
import Recipes
import Testing
@testable import Scheduler

@Suite("The scheduler")
struct SchedulerTests {
    let scheduler = Scheduler()

    @Test("the roadmap's three tiers: NAS recommended, Pi 4 OK with low storage, Pi Zero not recommended, each with its reason")
    func threeTiers() throws {
        let plan = scheduler.plan(Lab.snapshot([Lab.piZero, Lab.pi4, Lab.nas]), Lab.vault())
        let ranking = try #require(plan.rankings.first?.devices)
        #expect(ranking.map(\.device) == ["nas", "pi-4", "pi-zero"])
        #expect(ranking.map(\.tier) == [.recommended, .ok, .notRecommended])
        #expect(ranking[0].reason == "nas: 8 GB RAM free and always on")
        #expect(ranking[1].reason == "pi-4: 3 GB RAM free, always on and low power, but only 2 GB storage free of 32 GB after this app")
        #expect(ranking[2].reason == "pi-zero: 400 MB RAM free, app needs 1 GB")
        #expect(plan.placements.map(\.devices) == [["app": "nas"]])
    }

    struct FilterCase: Sendable, CustomTestStringConvertible {
        var label: String
        var device: DeviceState
        var request: PlacementRequest
        var reason: String
        var testDescription: String { label }
    }

    static let filterCases: [FilterCase] = {
        var offline = Lab.nas; offline.online = false
        var draining = Lab.nas; draining.draining = true
        var ports = Lab.nas; ports.publishedPorts = ["8222/tcp"]
        var noGroup = Lab.nas; noGroup.groups = ["basement"]
        var request = Lab.vault()
        var gpu = Lab.vault(); gpu.components[0].gpu = true
        var group = Lab.vault(); group.group = "attic"
        var excluded = Lab.vault(); excluded.notOn = ["nas"]
        var storage = Lab.vault(); storage.components[0].storageBytes = 4096 * Lab.gib
        return [
            FilterCase(label: "offline", device: offline, request: request, reason: "offline"),
            FilterCase(label: "draining", device: draining, request: request, reason: "draining"),
            FilterCase(label: "architecture", device: Lab.pi4, request: Lab.vault(architectures: [.amd64]), reason: "arm64 is not supported (the app runs on amd64)"),
            FilterCase(label: "RAM", device: Lab.piZero, request: request, reason: "400 MB RAM free, app needs 1 GB"),
            FilterCase(label: "storage", device: Lab.nas, request: storage, reason: "2 TB storage free, app needs 4 TB"),
            FilterCase(label: "port", device: ports, request: request, reason: "port 8222/tcp already published there"),
            FilterCase(label: "GPU", device: Lab.nas, request: gpu, reason: "no GPU"),
            FilterCase(label: "always on", device: Lab.laptop, request: request, reason: "not always on, and the app must be"),
            FilterCase(label: "group", device: noGroup, request: group, reason: "not in group attic"),
            FilterCase(label: "excluded", device: Lab.nas, request: excluded, reason: "excluded by request"),
        ]
    }()

    @Test("every hard filter rejects with its reason", arguments: filterCases)
    func filters(_ test: FilterCase) {
        let assessment = scheduler.assess(test.device, for: test.request.components[0], request: test.request)
        #expect(assessment.rejections == [test.reason])
        #expect(assessment.tier == .notRecommended && assessment.score == 0)
        #expect(assessment.reason == "\(test.device.name): \(test.reason)")
    }

    struct FactorCase: Sendable, CustomTestStringConvertible {
        var factor: String
        var better: DeviceState
        var worse: DeviceState
        var testDescription: String { factor }
    }

    static let factorCases: [FactorCase] = {
        func twin(_ name: String, _ change: (inout DeviceState) -> Void) -> DeviceState {
            var device = Lab.nas
            device.name = name
            change(&device)
            return device
        }
        return [
            FactorCase(factor: "ram-headroom", better: twin("a", { _ in }), worse: twin("b", { $0.memoryAvailableBytes = 2 * Lab.gib })),
            FactorCase(factor: "storage-headroom", better: twin("a", { _ in }), worse: twin("b", { $0.storageAvailableBytes = 100 * Lab.gib })),
            FactorCase(factor: "cpu", better: twin("a", { $0.cores = 8 }), worse: twin("b", { $0.cores = 1 })),
            FactorCase(factor: "reliability", better: twin("a", { _ in }), worse: twin("b", { $0.availability = 0.95; $0.reboots = 3 })),
            FactorCase(factor: "power", better: twin("a", { $0.watts = 5 }), worse: twin("b", { $0.watts = 50 })),
            FactorCase(factor: "load", better: twin("a", { $0.cpuBusyPercent = 5 }), worse: twin("b", { $0.cpuBusyPercent = 90 })),
            FactorCase(factor: "spread", better: twin("a", { _ in }), worse: twin("b", { $0.apps = [DeployedApp(recipe: "vaultwarden")] })),
            FactorCase(factor: "traits", better: twin("a", { $0.watts = 5 }), worse: twin("b", { $0.watts = 50 })),
        ]
    }()

    @Test("each factor moves the ranking the right way, all else equal", arguments: factorCases)
    func factors(_ test: FactorCase) throws {
        let request = Lab.vault()
        // Listed worse first, so only the factor can put the better one on top (ties go by name, "a" < "b" anyway).
        let ranking = scheduler.rank([test.worse, test.better], for: request.components[0], request: request)
        #expect(ranking.map(\.device) == ["a", "b"])
        let better = try #require(ranking[0].factors.first { $0.name == test.factor })
        let worse = try #require(ranking[1].factors.first { $0.name == test.factor })
        #expect(better.score > worse.score, "\(better) vs \(worse)")
        // With that factor weighed alone, the order holds: it is the factor, not the name, that decides.
        var only = Weights()
        for path in [\Weights.ramHeadroom, \.storageHeadroom, \.cpuCapability, \.reliability, \.alwaysOnFit, \.powerDraw, \.load, \.spread, \.traits] {
            only[keyPath: path] = 0
        }
        let keyPath: WritableKeyPath<Weights, Double> = switch test.factor {
        case "ram-headroom": \.ramHeadroom
        case "storage-headroom": \.storageHeadroom
        case "cpu": \.cpuCapability
        case "reliability": \.reliability
        case "power": \.powerDraw
        case "load": \.load
        case "spread": \.spread
        default: \.traits
        }
        only[keyPath: keyPath] = 1
        let alone = Scheduler(weights: only).rank([test.better, test.worse], for: request.components[0], request: request)
        #expect(alone[0].score > alone[1].score)
    }

    @Test("joint placement: the database and the web front fit together where one-at-a-time placement fails")
    func jointPlacement() throws {
        let gib = Lab.gib
        let nas = DeviceState(name: "nas", architecture: "x86_64", cores: 4, cpuMHz: 2000, memoryTotalBytes: 4 * gib, memoryAvailableBytes: 3 * gib,
                              storageTotalBytes: 4096 * gib, storageAvailableBytes: 2048 * gib, alwaysOn: true, availability: 1)
        let pi = DeviceState(name: "pi", architecture: "aarch64", cores: 4, cpuMHz: 1500, memoryTotalBytes: 4 * gib,
                             memoryAvailableBytes: Int64(2.2 * Double(gib)), storageTotalBytes: 64 * gib, storageAvailableBytes: 40 * gib,
                             alwaysOn: true, availability: 1)
        let request = PlacementRequest(recipe: "cloud", architectures: [.amd64, .arm64], components: [
            .init(name: "db", memoryBytes: 2 * gib, storageBytes: 10 * gib, prefer: [.storageOptimized]),
            .init(name: "web", memoryBytes: Int64(2.5 * Double(gib)), storageBytes: gib, links: ["db"]),
        ])
        // One at a time: the database takes its favourite (the NAS), and then nothing has room for the web front.
        let first = scheduler.rank([nas, pi], for: request.components[0], request: request)
        #expect(first[0].device == "nas")
        var greedy = nas
        greedy.reserve(request.components[0], recipe: "cloud", category: nil)
        #expect(scheduler.rank([greedy, pi], for: request.components[1], request: request).allSatisfy { !$0.eligible })
        // Jointly: the database on the Pi, the web front on the NAS.
        let plan = scheduler.plan(Lab.snapshot([nas, pi]), request)
        #expect(plan.placements.first?.devices == ["db": "pi", "web": "nas"])
        #expect(plan.unplaced.isEmpty)
    }

    @Test("among devices of the best tier within the packing tolerance, the tightest fit wins and the placement says why")
    func packing() throws {
        // A roomy Pi the app likes better (low power), and a NAS with just enough RAM left.
        var roomy = Lab.pi4
        roomy.name = "roomy"
        roomy.memoryTotalBytes = 8 * Lab.gib
        roomy.memoryAvailableBytes = 7 * Lab.gib
        roomy.storageTotalBytes = 128 * Lab.gib
        roomy.storageAvailableBytes = 100 * Lab.gib
        var snug = Lab.nas
        snug.name = "snug"
        snug.memoryAvailableBytes = 3 * Lab.gib
        let plan = scheduler.plan(Lab.snapshot([roomy, snug]), Lab.vault())
        let ranking = try #require(plan.rankings.first?.devices)
        #expect(ranking.map(\.device) == ["roomy", "snug"], "the preferred traits score higher")
        #expect(ranking.allSatisfy { $0.tier == .recommended })
        #expect(plan.placements.first?.devices == ["app": "snug"])
        #expect(plan.placements.first?.reason.hasSuffix("packed: chosen over roomy (scored higher) because it leaves less RAM unused, keeping room for larger apps") == true)
        // Out of the tolerance, the score decides.
        var strict = Scheduler()
        strict.packingTolerance = 0
        #expect(strict.plan(Lab.snapshot([roomy, snug]), Lab.vault()).placements.first?.devices == ["app": "roomy"])
    }

    @Test("linked components on one device score higher than the same set split, when both fit")
    func locality() {
        let request = PlacementRequest(recipe: "cloud", architectures: [.amd64], components: [
            .init(name: "db", memoryBytes: Lab.gib), .init(name: "web", memoryBytes: Lab.gib, links: ["db"]),
        ])
        var twin = Lab.nas
        twin.name = "nas-2"
        let plan = scheduler.plan(Lab.snapshot([Lab.nas, twin]), request)
        let devices = plan.placements.first?.devices
        #expect(devices?["db"] == devices?["web"])
    }

    @Test("10 instances over 4 devices: one each, then none; allowed to share, they spread by score")
    func spread() {
        let devices = (1...4).map { index in
            var device = Lab.nas
            device.name = "node-\(index)"
            device.memoryAvailableBytes = Int64(index) * 4 * Lab.gib
            return device
        }
        var request = Lab.vault(ports: [])
        request.instances = 10
        let plan = scheduler.plan(Lab.snapshot(devices), request)
        #expect(plan.placements.count == 4)
        #expect(Set(plan.placements.compactMap { $0.devices["app"] }).count == 4)
        #expect(plan.unplaced == ["instance 5: no device left without an instance that can take it (4 used; --allow-same-device to share)"])

        request.allowSameDevice = true
        let shared = scheduler.plan(Lab.snapshot(devices), request)
        #expect(shared.placements.count == 10)
        let counts = Dictionary(grouping: shared.placements.compactMap { $0.devices["app"] }, by: { $0 }).mapValues(\.count)
        #expect(counts.values.allSatisfy { $0 >= 1 }, "\(counts)")
        #expect(counts.values.max()! - counts.values.min()! <= 3, "the spread factor keeps them apart: \(counts)")
    }

    @Test("deterministic: the same snapshot and request give the same plan, whatever the device order")
    func deterministic() throws {
        let devices = [Lab.nas, Lab.pi4, Lab.piZero, Lab.laptop]
        var request = Lab.vault(ports: [])
        request.components[0].alwaysOn = false
        request.instances = 3
        let first = scheduler.plan(Lab.snapshot(devices), request)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        for order in [devices.reversed(), [devices[2], devices[0], devices[3], devices[1]]] {
            #expect(try encoder.encode(scheduler.plan(Lab.snapshot(Array(order)), request)) == encoder.encode(first))
        }
        // Identical devices but for the name: the tie goes by name.
        var twin = Lab.nas
        twin.name = "a-nas"
        #expect(scheduler.plan(Lab.snapshot([Lab.nas, twin]), Lab.vault()).placements.first?.devices["app"] == "a-nas")
    }

    @Test("a fresh device without metrics is judged on what is known, flagged, and never crashes the plan")
    func missingMetrics() throws {
        let fresh = DeviceState(name: "fresh")
        let plan = scheduler.plan(Lab.snapshot([fresh]), Lab.vault())
        let assessment = try #require(plan.rankings.first?.devices.first)
        #expect(assessment.warnings.contains("no memory figures yet (a fresh device): RAM not checked"))
        #expect(assessment.warnings.contains("architecture not reported yet"))
        #expect(assessment.rejections == ["not always on, and the app must be"])
        var relaxed = Lab.vault()
        relaxed.components[0].alwaysOn = false
        let placed = scheduler.plan(Lab.snapshot([fresh]), relaxed)
        #expect(placed.placements.first?.devices["app"] == "fresh")
        #expect(placed.rankings.first?.devices.first?.factors.first { $0.name == "ram-headroom" }?.note == "unknown")
    }

    @Test("traits come from figures as well as declarations")
    func traits() {
        #expect(Lab.nas.effectiveTraits == [.alwaysOn, .storageOptimized, .highMemory])
        #expect(Lab.pi4.effectiveTraits == [.alwaysOn, .lowPower])
        #expect(Lab.laptop.effectiveTraits == [.highMemory, .fastCPU])
        #expect(DeviceState(name: "pi", architecture: "aarch64").effectiveTraits == [.lowPower])
        // Always on by observation needs a week of it: a device enrolled an hour ago proves nothing yet.
        #expect(DeviceState(name: "new", availability: 1, observedDays: 0.04).effectiveTraits.isEmpty)
        #expect(DeviceState(name: "steady", availability: 0.995, observedDays: 8).effectiveTraits == [.alwaysOn])
    }
}

@Suite("Rebalancing")
struct RebalanceTests {
    static func app(_ name: String, _ gib: Int64) -> DeployedApp { DeployedApp(recipe: name, memoryBytes: gib * Lab.gib) }

    @Test("moves leave the most pressed device for the least, each with its gain, until nothing gains a point")
    func moves() throws {
        var full = Lab.nas
        full.name = "full"
        full.memoryAvailableBytes = 2 * Lab.gib  // 14 of 16 GB used: 87.5 %
        full.cpuBusyPercent = 10
        full.apps = [Self.app("immich", 4), Self.app("jellyfin", 2), Self.app("gitea", 1)]
        var idle = Lab.nas
        idle.name = "idle"
        idle.memoryAvailableBytes = 14 * Lab.gib  // 12.5 %
        idle.cpuBusyPercent = 10
        let moves = Scheduler().rebalance(Lab.snapshot([full, idle]))
        let first = try #require(moves.first)
        #expect(first.app == "immich" && first.from == "full" && first.to == "idle")
        #expect(first.gain == 25, "87.5 % → 62.5 %, idle 12.5 % → 37.5 %")
        #expect(first.reason == "full 87.5 % → 62.5 %, idle 12.5 % → 37.5 %")
        #expect(moves.allSatisfy { $0.gain >= 1 })
        // After the moves the two are within a move of each other: nothing left to gain.
        #expect(moves.count <= 2)
    }

    @Test("an app never leaves an always-on device for one that is not, nor crosses architectures")
    func constraints() {
        var full = Lab.nas
        full.name = "full"
        full.memoryAvailableBytes = Lab.gib
        full.apps = [Self.app("pihole", 2)]
        var laptop = Lab.laptop
        laptop.memoryAvailableBytes = 15 * Lab.gib
        var pi = Lab.pi4
        pi.memoryTotalBytes = 8 * Lab.gib
        pi.memoryAvailableBytes = 7 * Lab.gib
        #expect(Scheduler().rebalance(Lab.snapshot([full, laptop, pi])).isEmpty)
    }
}
