import Foundation
import Recipes
import Testing
@testable import Scheduler

/// One judgement a homelabber makes: a small homelab, an app, the device they would pick and the words that must
/// appear in the reason, and for the other devices the tier and the words that decide it.
struct Judgement: Sendable, CustomTestStringConvertible {
    /// A device's line: its tier and the words it must hold.
    struct Line: Sendable {
        var tier: Assessment.Tier
        var words: [String]
    }

    var name: String
    var homelab: [DeviceState]
    var app: PlacementRequest
    var pick: String
    /// Words the pick's reason must hold: its line, what decided it over the next, what packing changed.
    var because: [String]
    var lines: [String: Line] = [:]
    /// Words a device's line must not hold.
    var never: [String: [String]] = [:]

    var testDescription: String { name }
}

/// The judgement table: every case runs through the pure scheduler, as the controller and `homelab plan` run it.
@Suite("Judgement: the device a homelabber would pick")
struct JudgementTests {
    static let gib = Mock.gib, mib = Mock.mib

    static let cases: [Judgement] = [
        Judgement(name: "the roadmap: Vaultwarden needing 1 GB goes to the NAS; the Pi 4 is OK with low storage; the Pi Zero lacks RAM",
                  homelab: [Mock.nas(), Mock.pi4(), Mock.piZero()], app: Mock.app(memory: gib), pick: "nas",
                  because: ["7.5 GB RAM free", "always on", "pi4 is OK: low storage"],
                  lines: ["nas": .init(tier: .recommended, words: ["7.5 GB RAM free", "always on"]),
                          "pi4": .init(tier: .ok, words: ["1.9 GB RAM free", "but low storage"]),
                          "pizero": .init(tier: .notRecommended, words: ["480 MB RAM free", "app needs 1 GB"])]),
        Judgement(name: "the roadmap with the catalog's Vaultwarden (128 MB): the NAS; the Pi Zero is not always on",
                  homelab: [Mock.nas(), Mock.pi4(), Mock.piZero()], app: Mock.app(), pick: "nas", because: ["always on"],
                  lines: ["pi4": .init(tier: .ok, words: ["low storage"]), "pizero": .init(tier: .ok, words: ["not always on"])]),
        Judgement(name: "a password manager goes to the always-on, low-power Pi, never to the one device that is not always on",
                  homelab: [Mock.nas(), Mock.bigPi4(), Mock.piZero()], app: Mock.app(), pick: "pi4", because: ["always on", "low power"],
                  lines: ["pizero": .init(tier: .ok, words: ["not always on"])], never: ["nas": ["low power"]]),
        Judgement(name: "an app that prefers always-on takes the always-on Pi over a roomier, faster laptop",
                  homelab: [Mock.laptop(), Mock.bigPi4()], app: Mock.app("uptime-kuma", category: "monitoring", memory: 256 * mib, prefer: [.alwaysOn]),
                  pick: "pi4", because: ["always on"], lines: ["laptop": .init(tier: .ok, words: ["10 GB RAM free", "not always on"])]),
        Judgement(name: "always on wins while the always-on device fits, even near its RAM limit",
                  homelab: [Mock.laptop(), Mock.bigPi4().with { $0.memoryAvailableBytes = 1 * gib }],
                  app: Mock.app("uptime-kuma", category: "monitoring", memory: 256 * mib, prefer: [.alwaysOn]), pick: "pi4",
                  because: ["near its RAM limit", "laptop is not always on"],
                  lines: ["pi4": .init(tier: .ok, words: ["near its RAM limit"]), "laptop": .init(tier: .ok, words: ["not always on"])]),
        Judgement(name: "Pi-hole must be always on: not on the Pi Zero that is switched off now and then",
                  homelab: [Mock.piZero(), Mock.bigPi4()],
                  app: Mock.app("pihole", category: "network", memory: 256 * mib, alwaysOn: true), pick: "pi4", because: ["always on"],
                  lines: ["pizero": .init(tier: .notRecommended, words: ["not always on, and the app must be"])]),
        Judgement(name: "a tiny always-on app takes the always-on Pi Zero when the rest is a laptop",
                  homelab: [Mock.laptop(), Mock.piZero().with { $0.alwaysOn = true; $0.availability = 0.999 }],
                  app: Mock.app("ntfy", category: "notifications", memory: 64 * mib, storage: 256 * mib), pick: "pizero",
                  because: ["always on", "low power"]),
        Judgement(name: "a big-storage app goes to the storage device; the Pi says low storage",
                  homelab: [Mock.bigPi4().with { $0.storageTotalBytes = 128 * gib; $0.storageAvailableBytes = 100 * gib }, Mock.nas(), Mock.laptop()],
                  app: Mock.app("immich", category: "photos", memory: 2 * gib, storage: 50 * gib, cpuWeight: 4, prefer: [.storageOptimized, .alwaysOn]),
                  pick: "nas", because: ["1.5 TB storage free", "always on"],
                  lines: ["pi4": .init(tier: .ok, words: ["low storage"]),
                          "laptop": .init(tier: .notRecommended, words: ["low storage", "not always on", "weak on power"])]),
        Judgement(name: "a big-storage app without a storage preference still goes to the storage device",
                  homelab: [Mock.miniPC(), Mock.nas(), Mock.bigPi4()],
                  app: Mock.app("jellyfin", category: "media", memory: gib, storage: 200 * gib, cpuWeight: 2, prefer: []), pick: "nas",
                  because: ["1.5 TB storage free"], lines: ["mini-pc": .init(tier: .ok, words: ["low storage"]),
                                                         "pi4": .init(tier: .notRecommended, words: ["storage free, app needs 200 GB"])]),
        Judgement(name: "low power is relative: a 15 W NAS is not low power beside a 5 W Pi",
                  homelab: [Mock.nas(), Mock.bigPi4()], app: Mock.app("adguard", category: "network", memory: 128 * mib, storage: 256 * mib),
                  pick: "pi4", because: ["low power"], never: ["nas": ["low power"]]),
        Judgement(name: "low power is relative: the 15 W NAS is the low-power device beside a 45 W laptop",
                  homelab: [Mock.laptop(), Mock.nas()], app: Mock.app(), pick: "nas", because: ["always on", "low power"],
                  never: ["laptop": ["low power"]]),
        Judgement(name: "a 60 W desktop is not low power, even alone",
                  homelab: [Mock.desktop()], app: Mock.app("memos", category: "notes", prefer: [.lowPower]), pick: "desktop",
                  because: ["RAM free"], never: ["desktop": ["low power"]]),
        Judgement(name: "low storage is flagged when the app's data would take the card near its margin; the Pi with room takes it",
                  homelab: [Mock.pi4("pi4-16g"), Mock.bigPi4("pi4-64g")], app: Mock.app(memory: 512 * mib, storage: gib),
                  pick: "pi4-64g", because: ["pi4-16g is OK: low storage (5 GB free of 16 GB after this app)"],
                  lines: ["pi4-16g": .init(tier: .ok, words: ["low storage (5 GB free of 16 GB after this app)"])],
                  never: ["pi4-64g": ["low storage"]]),
        Judgement(name: "an app that needs a GPU goes to the GPU device",
                  homelab: [Mock.nas(), Mock.miniPC().with { $0.gpu = true }],
                  app: Mock.app("ollama", category: "ai", memory: 4 * gib, storage: 20 * gib, cpuWeight: 4, prefer: [.highMemory, .fastCPU], gpu: true,
                                architectures: [.amd64, .arm64]),
                  pick: "mini-pc", because: ["a GPU"], lines: ["nas": .init(tier: .notRecommended, words: ["no GPU"])]),
        Judgement(name: "a transcoding media server that prefers a GPU goes to the GPU device, not the NAS",
                  homelab: [Mock.nas(), Mock.miniPC().with { $0.gpu = true }],
                  app: Mock.app("jellyfin", category: "media", memory: gib, storage: 50 * gib, cpuWeight: 4, prefer: [.storageOptimized, .gpu, .fastCPU]),
                  pick: "mini-pc", because: ["a GPU", "a fast CPU"]),
        Judgement(name: "a device near its RAM limit is warned about, and the roomy one is chosen",
                  homelab: [Mock.bigPi4().with { $0.memoryTotalBytes = 4 * gib; $0.memoryAvailableBytes = 1300 * mib }, Mock.nas()],
                  app: Mock.app("paperless", category: "documents", memory: gib, storage: 5 * gib, prefer: []), pick: "nas", because: ["RAM free"],
                  lines: ["pi4": .init(tier: .ok, words: ["near its RAM limit (276 MB free of 4 GB after this app)"])]),
        Judgement(name: "the only device that can take it is chosen near its RAM limit, and says so",
                  homelab: [Mock.bigPi4().with { $0.memoryTotalBytes = 4 * gib; $0.memoryAvailableBytes = 1300 * mib }],
                  app: Mock.app("paperless", category: "documents", memory: gib, storage: 5 * gib, prefer: []), pick: "pi4",
                  because: ["near its RAM limit", "the only device that can take it"]),
        Judgement(name: "an offline device takes nothing",
                  homelab: [Mock.nas().with { $0.online = false }, Mock.bigPi4()], app: Mock.app(), pick: "pi4",
                  because: ["the only device that can take it (nas: offline)"], lines: ["nas": .init(tier: .notRecommended, words: ["offline"])]),
        Judgement(name: "a draining device takes nothing",
                  homelab: [Mock.nas(), Mock.bigPi4().with { $0.draining = true }], app: Mock.app(), pick: "nas",
                  because: ["the only device that can take it (pi4: draining)"], lines: ["pi4": .init(tier: .notRecommended, words: ["draining"])]),
        Judgement(name: "an app built for amd64 alone skips the Pis",
                  homelab: [Mock.bigPi4(), Mock.nas()], app: Mock.app("stirling-pdf", category: "documents", memory: gib, architectures: [.amd64]),
                  pick: "nas", because: ["always on"],
                  lines: ["pi4": .init(tier: .notRecommended, words: ["arm64 is not supported (the app runs on amd64)"])]),
        Judgement(name: "a host port already published on a device sends the app elsewhere",
                  homelab: [Mock.bigPi4().with { $0.publishedPorts = ["8222/tcp"] }, Mock.nas()], app: Mock.app(ports: ["8222/tcp"]),
                  pick: "nas", because: ["always on"], lines: ["pi4": .init(tier: .notRecommended, words: ["port 8222/tcp already published there"])]),
        Judgement(name: "a flaky laptop loses to the always-on mini PC for an app without preferences",
                  homelab: [Mock.laptop(), Mock.miniPC()], app: Mock.app("gitea", category: "development", memory: 512 * mib, storage: 5 * gib, prefer: []),
                  pick: "mini-pc", because: ["14 GB RAM free"]),
        Judgement(name: "ties are broken by name, the same way every time",
                  homelab: [Mock.bigPi4("pi-b"), Mock.bigPi4("pi-a")], app: Mock.app(), pick: "pi-a", because: ["as good as pi-b: first by name"]),
        Judgement(name: "scores within the band count as equal: the tighter fit goes first, keeping the larger hole",
                  homelab: [Mock.nas("nas-a").with { $0.cpuBusyPercent = 8 }, Mock.nas("nas-b").with { $0.memoryAvailableBytes = 6 * gib }],
                  app: Mock.app("homepage", category: "dashboards", memory: 256 * mib, prefer: []), pick: "nas-b",
                  because: ["within 3 points of nas-a, which counts as equal: the tighter fit (5.8 GB RAM left after this app, against 7.3 GB)"]),
        Judgement(name: "a small app goes to the NAS it fills, not the one nearly empty, and says packing decided",
                  homelab: [Mock.nas(), Mock.nas("nas-2").with { $0.memoryAvailableBytes = 2 * gib; $0.storageAvailableBytes = 300 * gib }],
                  app: Mock.app("homepage", category: "dashboards", memory: 256 * mib, prefer: []), pick: "nas-2",
                  because: ["mostly on fit: after this app: 22 % of RAM, 15 % of storage"]),
    ]

    @Test("the pick, its reason and every line's tier and words", arguments: cases)
    func judgement(_ judgement: Judgement) throws {
        let plan = Scheduler().plan(Mock.homelab(judgement.homelab), judgement.app)
        let choice = try #require(plan.placements.first?.choices.first, "nothing placed: \(plan.unplaced)")
        let ranking = try #require(plan.rankings.first?.devices)
        #expect(choice.device == judgement.pick, "\(ranking.map { "\($0.device) \($0.tier.words) \($0.score): \($0.reason)" })")
        #expect(ranking.first?.device == choice.device, "the device placed is the first of the list")
        let said = ([choice.reason, choice.decision.words] + [choice.packing?.reason].compactMap { $0 }).joined(separator: " / ")
        for word in judgement.because { #expect(said.contains(word), "\(word) not in: \(said)") }
        for (device, line) in judgement.lines {
            let assessment = try #require(ranking.first { $0.device == device })
            #expect(assessment.tier == line.tier, "\(device): \(assessment.tier.words), \(assessment.score): \(assessment.reason)")
            for word in line.words { #expect(assessment.reason.contains(word), "\(device): \(word) not in: \(assessment.reason)") }
        }
        for (device, words) in judgement.never {
            let assessment = try #require(ranking.first { $0.device == device })
            for word in words { #expect(!assessment.reason.contains(word), "\(device): \(assessment.reason)") }
        }
    }
}
