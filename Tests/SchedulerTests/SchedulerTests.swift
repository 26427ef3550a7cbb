import Foundation
import Recipes
import Testing
@testable import Scheduler

private let gib = Mock.gib

@Suite("The scheduler")
struct SchedulerTests {
    let scheduler = Scheduler()

    struct FilterCase: Sendable, CustomTestStringConvertible {
        var label: String
        var device: DeviceState
        var request: PlacementRequest
        var reason: String
        var testDescription: String { label }
    }

    static let filterCases: [FilterCase] = {
        let request = Mock.app(memory: gib)
        return [
            FilterCase(label: "offline", device: Mock.nas().with { $0.online = false }, request: request, reason: "offline"),
            FilterCase(label: "draining", device: Mock.nas().with { $0.draining = true }, request: request, reason: "draining"),
            FilterCase(label: "architecture", device: Mock.bigPi4(), request: Mock.app(architectures: [.amd64]),
                       reason: "arm64 is not supported (the app runs on amd64)"),
            FilterCase(label: "RAM", device: Mock.piZero(), request: request, reason: "480 MB RAM free, app needs 1 GB"),
            FilterCase(label: "storage", device: Mock.nas(), request: Mock.app(storage: 4096 * gib), reason: "1.5 TB storage free, app needs 4 TB"),
            FilterCase(label: "port", device: Mock.nas().with { $0.publishedPorts = ["8222/tcp"] }, request: Mock.app(ports: ["8222/tcp"]),
                       reason: "port 8222/tcp already published there"),
            FilterCase(label: "GPU", device: Mock.nas(), request: Mock.app(gpu: true), reason: "no GPU"),
            FilterCase(label: "always on", device: Mock.laptop(), request: Mock.app(alwaysOn: true), reason: "not always on, and the app must be"),
            FilterCase(label: "group", device: Mock.nas().with { $0.groups = ["basement"] }, request: Mock.app().grouped("attic"),
                       reason: "not in group attic"),
            FilterCase(label: "excluded", device: Mock.nas(), request: Mock.app().excluding("nas"), reason: "excluded by request"),
        ]
    }()

    @Test("every hard filter rejects with its reason", arguments: filterCases)
    func filters(_ test: FilterCase) {
        let assessment = scheduler.assess(test.device, for: test.request.components[0], request: test.request, in: Homelab([test.device]))
        #expect(assessment.rejections == [test.reason])
        #expect(assessment.tier == .notRecommended && assessment.score == 0)
        #expect(assessment.reason == test.reason)
    }

    struct FactorCase: Sendable, CustomTestStringConvertible {
        var factor: String
        var better: DeviceState
        var worse: DeviceState
        var testDescription: String { factor }
    }

    static let factorCases: [FactorCase] = {
        func twin(_ name: String, _ change: (inout DeviceState) -> Void) -> DeviceState { Mock.nas(name).with(change) }
        return [
            FactorCase(factor: "ram-headroom", better: twin("a", { _ in }), worse: twin("b", { $0.memoryAvailableBytes = 1 * gib })),
            FactorCase(factor: "storage-headroom", better: twin("a", { _ in }), worse: twin("b", { $0.storageAvailableBytes = 210 * gib })),
            FactorCase(factor: "cpu", better: twin("a", { $0.cores = 8 }), worse: twin("b", { $0.cores = 1 })),
            FactorCase(factor: "reliability", better: twin("a", { _ in }), worse: twin("b", { $0.availability = 0.95; $0.reboots = 3 })),
            FactorCase(factor: "power", better: twin("a", { $0.watts = 5 }), worse: twin("b", { $0.watts = 50 })),
            FactorCase(factor: "load", better: twin("a", { $0.cpuBusyPercent = 5 }), worse: twin("b", { $0.cpuBusyPercent = 90 })),
            FactorCase(factor: "spread", better: twin("a", { _ in }), worse: twin("b", { $0.apps = [DeployedApp(recipe: "vaultwarden")] })),
            FactorCase(factor: "traits", better: twin("a", { $0.gpu = true }), worse: twin("b", { _ in })),
            FactorCase(factor: "fit", better: twin("a", { $0.memoryAvailableBytes = 3 * gib; $0.storageAvailableBytes = 400 * gib }), worse: twin("b", { _ in })),
        ]
    }()

    @Test("each factor moves its score the right way, and weighed alone it orders the devices", arguments: factorCases)
    func factors(_ test: FactorCase) throws {
        let request = Mock.app(prefer: [.lowPower, .gpu])
        let both = Homelab([test.better, test.worse])
        let better = try #require(scheduler.assess(test.better, for: request.components[0], request: request, in: both).factors.first { $0.name == test.factor })
        let worse = try #require(scheduler.assess(test.worse, for: request.components[0], request: request, in: both).factors.first { $0.name == test.factor })
        #expect(better.score > worse.score, "\(better) vs \(worse)")
        // With that factor weighed alone (and no band), it is the factor, not the name or the free RAM, that decides.
        var only = Weights()
        for (name, path) in Weights.names { only[keyPath: path] = name == test.factor ? 1 : 0 }
        var alone = Scheduler(weights: only)
        alone.equalWithin = 0
        let ranking = alone.rank([test.worse, test.better], for: request.components[0], request: request)
        #expect(ranking.map(\.device) == ["a", "b"], "\(ranking.map { "\($0.device) \($0.score)" })")
    }

    @Test("joint placement: the database and the web front fit together where one-at-a-time placement fails")
    func jointPlacement() throws {
        let nas = Mock.nas().with { $0.memoryTotalBytes = 4 * gib; $0.memoryAvailableBytes = 3 * gib }
        let pi = Mock.bigPi4("pi").with { $0.memoryTotalBytes = 4 * gib; $0.memoryAvailableBytes = Int64(2.2 * Double(gib)) }
        let request = PlacementRequest(recipe: "cloud", architectures: [.amd64, .arm64], components: [
            .init(name: "db", memoryBytes: 2 * gib, storageBytes: 10 * gib, prefer: [.storageOptimized]),
            .init(name: "web", memoryBytes: Int64(2.5 * Double(gib)), storageBytes: gib, links: ["db"]),
        ])
        // One at a time: the database takes its favourite (the NAS), and then nothing has room for the web front.
        #expect(scheduler.rank([nas, pi], for: request.components[0], request: request).first?.device == "nas")
        var greedy = nas
        greedy.reserve(request.components[0], recipe: "cloud", category: nil)
        #expect(scheduler.rank([greedy, pi], for: request.components[1], request: request).allSatisfy { !$0.eligible })
        // Jointly: the database on the Pi, the web front on the NAS; the database's line says why it is not on its first.
        let plan = scheduler.plan(Mock.homelab([nas, pi]), request)
        let placement = try #require(plan.placements.first)
        #expect(placement.devices == ["db": "pi", "web": "nas"])
        #expect(placement.choices.map { "\($0.component) → \($0.device)" } == ["db → pi", "web → nas"], "every component names its device")
        let db = try #require(placement.choices.first)
        #expect(db.decision.by == .joint && db.decision.over == "nas")
        #expect(db.decision.words == "nas ranks first alone, but the set fits best with web there")
        #expect(plan.unplaced.isEmpty)
    }

    @Test("linked components on one device score higher than the same set split, when both fit")
    func locality() {
        let request = PlacementRequest(recipe: "cloud", architectures: [.amd64], components: [
            .init(name: "db", memoryBytes: gib), .init(name: "web", memoryBytes: gib, links: ["db"]),
        ])
        let plan = scheduler.plan(Mock.homelab([Mock.nas(), Mock.nas("nas-2")]), request)
        let devices = plan.placements.first?.devices
        #expect(devices?["db"] == devices?["web"])
    }

    @Test("10 instances over 4 devices: one each, then none; allowed to share, they spread by score")
    func spread() {
        let devices = (1...4).map { index in
            Mock.nas("node-\(index)").with { $0.memoryTotalBytes = 16 * gib; $0.memoryAvailableBytes = Int64(index) * 4 * gib - gib }
        }
        var request = Mock.app()
        request.instances = 10
        let plan = scheduler.plan(Mock.homelab(devices), request)
        #expect(plan.placements.count == 4)
        #expect(Set(plan.placements.compactMap { $0.devices["app"] }).count == 4)
        #expect(plan.placements.first?.devices["app"] == plan.rankings.first?.devices.first?.device, "the first instance goes to the first of the list")
        #expect(plan.unplaced == ["instance 5: no device left without an instance that can take it (4 used; --allow-same-device to share)"])

        request.allowSameDevice = true
        let shared = scheduler.plan(Mock.homelab(devices), request)
        #expect(shared.placements.count == 10)
        let counts = Dictionary(grouping: shared.placements.compactMap { $0.devices["app"] }, by: { $0 }).mapValues(\.count)
        #expect(counts.values.allSatisfy { $0 >= 1 }, "\(counts)")
        #expect(counts.values.max()! - counts.values.min()! <= 3, "the spread factor keeps them apart: \(counts)")
    }

    @Test("deterministic: the same snapshot and request give the same plan, whatever the device order")
    func deterministic() throws {
        let devices = [Mock.nas(), Mock.pi4(), Mock.piZero(), Mock.laptop(), Mock.bigPi4("pi4-b"), Mock.miniPC()]
        var request = Mock.app(prefer: [])
        request.instances = 3
        let first = scheduler.plan(Mock.homelab(devices), request)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        var random = SystemRandomNumberGenerator()
        for _ in 0..<10 {
            #expect(try encoder.encode(scheduler.plan(Mock.homelab(devices.shuffled(using: &random)), request)) == encoder.encode(first))
        }
    }

    @Test("CPU noise does not reorder: the roadmap homelab at 5 %, 50 % and 95 % busy on any device gives the same order and pick")
    func stableUnderNoise() throws {
        let homelab = [Mock.nas(), Mock.pi4(), Mock.piZero()]
        for app in [Mock.app(memory: gib), Mock.app()] {
            let quiet = scheduler.plan(Mock.homelab(homelab), app)
            let order = try #require(quiet.rankings.first?.devices.map(\.device))
            for nas in [5.0, 50, 95] {
                for pi in [5.0, 50, 95] {
                    let busy = homelab.map { device in
                        device.with { $0.cpuBusyPercent = $0.name == "nas" ? nas : $0.name == "pi4" ? pi : 100 - pi }
                    }
                    let plan = scheduler.plan(Mock.homelab(busy), app)
                    #expect(plan.rankings.first?.devices.map(\.device) == order, "nas \(nas) %, pi4 \(pi) %")
                    #expect(plan.placements.first?.devices == quiet.placements.first?.devices)
                }
            }
        }
    }

    @Test("packing changes a choice only inside the score: the list shows the same order, and the choice says what packing kept")
    func packingInsideTheScore() throws {
        // A roomy NAS that judgement alone prefers (its CPU is idle), and a busier one that the app fills tightly.
        let roomy = Mock.nas(), snug = Mock.nas("nas-2").with { $0.memoryAvailableBytes = 2 * gib; $0.storageAvailableBytes = 300 * gib; $0.cpuBusyPercent = 60 }
        let app = Mock.app("homepage", memory: 256 << 20, prefer: [])
        var weights = Weights()
        weights.fit = 30
        let plan = Scheduler(weights: weights).plan(Mock.homelab([roomy, snug]), app)
        let choice = try #require(plan.placements.first?.choices.first)
        #expect(plan.rankings.first?.devices.map(\.device) == ["nas-2", "nas"])
        #expect(choice.device == "nas-2")
        #expect(choice.decision.by == .score && choice.decision.factor == "fit", "\(choice.decision)")
        let packing = try #require(choice.packing)
        #expect(packing.over == "nas")
        #expect(packing.reason == "nas-2 fits it more tightly, which keeps nas's 7.5 GB of RAM for larger apps", "\(packing.reason)")
        // Without packing, judgement alone puts the roomy one first, and no packing decision is made.
        weights.fit = 0
        weights.room = 0
        let judged = Scheduler(weights: weights).plan(Mock.homelab([roomy, snug]), app)
        #expect(judged.placements.first?.choices.first?.device == "nas")
        #expect(judged.placements.first?.choices.first?.packing == nil)
    }

    @Test("room: an app that need not be always on leaves the always-on devices to the apps that must be, the more the fuller they are")
    func room() throws {
        // A NAS whose RAM is mostly taken and a mini PC that is not always on: a tool that needs neither goes to the mini PC.
        let nas = Mock.nas().with { $0.memoryAvailableBytes = 1536 << 20 }
        let box = Mock.miniPC().with { $0.alwaysOn = false; $0.availability = 0.95 }
        let app = Mock.app("it-tools", category: "development", memory: 256 << 20, prefer: [])
        let plan = scheduler.plan(Mock.homelab([nas, box]), app)
        let choice = try #require(plan.placements.first?.choices.first)
        #expect(choice.device == "mini-pc", "\(plan.rankings)")
        #expect(choice.packing?.reason == "it keeps nas's always-on room (81 % of its RAM in use) for the apps that need it", "\(String(describing: choice.packing))")
        // With room to spare on the NAS, judgement keeps the app on the always-on device.
        let roomy = scheduler.plan(Mock.homelab([Mock.nas(), box]), app)
        #expect(roomy.placements.first?.choices.first?.device == "nas")
    }

    @Test("a fresh device without metrics is judged on what is known, flagged, and never crashes the plan")
    func missingMetrics() throws {
        let fresh = DeviceState(name: "fresh")
        let plan = scheduler.plan(Mock.homelab([fresh]), Mock.app(alwaysOn: true))
        let assessment = try #require(plan.rankings.first?.devices.first)
        #expect(assessment.warnings.contains("no memory figures yet (a fresh device): RAM not checked"))
        #expect(assessment.warnings.contains("architecture not reported yet"))
        #expect(assessment.rejections == ["not always on, and the app must be"])
        let placed = scheduler.plan(Mock.homelab([fresh]), Mock.app(prefer: []))
        #expect(placed.placements.first?.devices["app"] == "fresh")
        #expect(placed.rankings.first?.devices.first?.factors.first { $0.name == "ram-headroom" }?.note == "unknown")
    }

    @Test("traits come from figures as well as declarations; low power is relative to the homelab")
    func traits() {
        #expect(Mock.nas().with { $0.storageTotalBytes = 4096 * gib; $0.memoryTotalBytes = 16 * gib }.effectiveTraits
                == [.alwaysOn, .storageOptimized, .highMemory])
        #expect(Mock.laptop().effectiveTraits == [.highMemory, .fastCPU])
        // Always on by observation needs a week of it: a device enrolled an hour ago proves nothing yet.
        #expect(DeviceState(name: "new", availability: 1, observedDays: 0.04).effectiveTraits.isEmpty)
        #expect(DeviceState(name: "steady", availability: 0.995, observedDays: 8).effectiveTraits == [.alwaysOn])
        // Low power: within twice the lowest draw, or 8 W at most, and never above 25 W; an ARM board without a figure.
        let homelab = Homelab([Mock.nas(), Mock.pi4(), Mock.laptop()])
        #expect(homelab.lowestWatts == 5)
        #expect(homelab.isLowPower(Mock.pi4()) && !homelab.isLowPower(Mock.nas()) && !homelab.isLowPower(Mock.laptop()))
        #expect(Homelab([Mock.nas(), Mock.laptop()]).isLowPower(Mock.nas()))
        #expect(Homelab([Mock.piZero(), Mock.pi4()]).isLowPower(Mock.pi4()), "a 5 W Pi beside a 2 W Pi Zero is still a board")
        #expect(Homelab([Mock.pi4(), Mock.miniPC()]).isLowPower(Mock.miniPC()), "10 W is twice a 5 W Pi")
        #expect(!Homelab([Mock.desktop()]).isLowPower(Mock.desktop()), "60 W is never low power")
        #expect(Homelab([]).isLowPower(DeviceState(name: "pi", architecture: "aarch64")))
        #expect(!Homelab([]).isLowPower(DeviceState(name: "box", architecture: "x86_64")))
        #expect(Homelab([]).isLowPower(DeviceState(name: "box", architecture: "x86_64", traits: [.lowPower])), "declared by its labels")
    }

    @Test("a version 1 snapshot file (CPU as its latest reading, no window) still reads, and plans the same way")
    func versionOneSnapshot() throws {
        let text = """
            {"version": 1, "takenAt": "2026-11-27T09:00:00Z", "devices": [
              {"name": "nas", "online": true, "draining": false, "architecture": "x86_64", "cores": 4, "cpuMHz": 2000, "cpuBusyPercent": 10,
               "memoryTotalBytes": 8589934592, "memoryAvailableBytes": 8073781248, "storageTotalBytes": 2199023255552,
               "storageAvailableBytes": 1649267441664, "alwaysOn": true, "watts": 15, "gpu": false, "traits": [], "groups": [],
               "availability": 0.999, "observedDays": 30, "reboots": 0, "publishedPorts": [], "apps": []}]}
            """
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let snapshot = try decoder.decode(ClusterSnapshot.self, from: Data(text.utf8))
        #expect(snapshot.version == 1 && ClusterSnapshot.readableVersions.contains(snapshot.version))
        #expect(snapshot.metricsWindowSeconds == nil)
        #expect(scheduler.plan(snapshot, Mock.app()).placements.first?.devices == ["app": "nas"])
        #expect(!ClusterSnapshot.readableVersions.contains(ClusterSnapshot.currentVersion + 1))
    }
}

extension PlacementRequest {
    /// A copy limited to devices in `group`.
    func grouped(_ group: String) -> PlacementRequest {
        var copy = self
        copy.group = group
        return copy
    }

    /// A copy that never goes to `device`.
    func excluding(_ device: String) -> PlacementRequest {
        var copy = self
        copy.notOn = [device]
        return copy
    }
}
