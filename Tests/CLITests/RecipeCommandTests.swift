import Foundation
import Protocol
import Scheduler
import Testing
import TestSupport

/// `homelab recipes validate|render` on files: no controller needed.
@Suite("homelab recipes, offline")
struct RecipeCommandTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func homelab(_ arguments: [String]) async throws -> ChildProcess.Result {
        try await ChildProcess.run(ChildProcess.binaries.appendingPathComponent("homelab").path, arguments,
                             environment: ["NO_COLOR": "1", "HOME": "/nonexistent", "XDG_CONFIG_HOME": "/nonexistent"])
    }

    @Test("validate passes the bundled catalog and reports a broken file with file:line:column, exit 1")
    func validate() async throws {
        let catalog = try await Self.homelab(["recipes", "validate", Self.repository.appendingPathComponent("recipes").path])
        #expect(catalog.status == 0, "\(catalog.output)\(catalog.errors)")
        #expect(catalog.output.hasSuffix("recipes valid\n"))

        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let broken = try dir.write("web.yaml", """
            id: web
            name: Web
            tagline: x
            category: nope
            version: "1"
            architectures: [amd64]
            components: []
            """)
        let result = try await Self.homelab(["recipes", "validate", broken])
        #expect(result.status == 1)
        #expect(result.output.contains("\(broken):4:11: category: \"nope\" is not a category"), "\(result.output)")
        #expect(result.output.contains("\(broken):7:13: components: must hold at least one component"), "\(result.output)")
        let json = try await Self.homelab(["recipes", "validate", "-o", "json", broken])
        #expect(json.status == 1 && json.output.contains("\"line\" : 4"), "\(json.output)")
    }

    @Test("render prints a compose file docker-compose accepts, with inputs set; several components need --component")
    func render() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let file = try dir.write("notes.yaml", """
            id: notes
            name: Notes
            tagline: Notes
            category: productivity
            version: "1"
            architectures: [amd64]
            inputs: [{name: WEB_PORT, type: port, default: 8080}, {name: GREETING, type: text, default: hi}]
            components:
              - name: app
                compose:
                  services:
                    app:
                      image: busybox:1
                      command: ["sh", "-c", "echo $$HOME ${input.GREETING}"]
                      ports: ["${input.WEB_PORT}:80"]
            """)
        let result = try await Self.homelab(["recipes", "render", file, "--set", "WEB_PORT=9000", "--set", "GREETING=a $b"])
        #expect(result.status == 0, "\(result.errors)")
        #expect(result.output.contains("\"9000:80\""))
        #expect(result.output.contains("echo $$HOME a $$b"))
        let composeFile = try dir.write("compose.json", result.output)
        // docker-compose reads it back with the values the agent would run ($$ → $).
        let config = try await ChildProcess.run("/usr/bin/env", ["docker-compose", "-f", composeFile, "config"])
        #expect(config.status == 0, "\(config.errors)")
        #expect(config.output.contains("echo $$HOME a $$b") || config.output.contains("echo $HOME a $b"), "\(config.output)")

        let bad = try await Self.homelab(["recipes", "render", file, "--set", "WEB_PORT=0"])
        #expect(bad.status == 1 && bad.errors.contains("WEB_PORT: \"0\" is not a port"), "\(bad.errors)")
        let twoParts = Self.repository.appendingPathComponent("recipes/nextcloud-split.yaml").path
        let split = try await Self.homelab(["recipes", "render", twoParts, "--host", "db=198.18.0.5", "--host", "web=198.18.0.6"])
        #expect(split.status == 64 && split.errors.contains("--component"), "\(split.errors)")
        let web = try await Self.homelab(["recipes", "render", twoParts, "--host", "db=198.18.0.5", "--host", "web=198.18.0.6", "--component", "web"])
        #expect(web.status == 0 && web.output.contains("198.18.0.5"), "\(web.errors)")
    }
}

/// `homelab plan`: the scheduler offline on a snapshot file, with an imagined device added.
@Suite("homelab plan, offline")
struct PlanCommandTests {
    @Test("a snapshot plus an imagined Pi 5: the plan ranks it with reasons and selects the first; --explain shows its factors; version 1 files read, a newer version is refused")
    func whatIf() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let gib: Int64 = 1 << 30
        let snapshot = ClusterSnapshot(takenAt: Date(timeIntervalSince1970: 1_800_000_000), devices: [
            DeviceState(name: "laptop", architecture: "x86_64", cores: 8, cpuMHz: 3000, memoryTotalBytes: 16 * gib, memoryAvailableBytes: 6 * gib,
                        storageTotalBytes: 512 * gib, storageAvailableBytes: 100 * gib, alwaysOn: false, watts: 45),
            DeviceState(name: "pi-zero", architecture: "armv7l", cores: 1, memoryTotalBytes: 512 << 20, memoryAvailableBytes: 300 << 20,
                        storageTotalBytes: 16 * gib, storageAvailableBytes: 8 * gib, alwaysOn: true, watts: 1),
        ])
        let file = try dir.write("lab.json", String(decoding: try WireCoding.encoder.encode(snapshot), as: UTF8.self))
        let recipe = RecipeCommandTests.repository.appendingPathComponent("recipes/vaultwarden.yaml").path
        let pi5 = "name=pi5,arch=arm64,ram=8G,disk=256G,cores=4,always-on=true,watts=7"
        let plan = try await RecipeCommandTests.homelab(["plan", "--snapshot", file, "--add-device", pi5, "--explain", "pi5", recipe])
        #expect(plan.status == 0, "\(plan.errors)")
        #expect(plan.output.contains("pi5      Recommended"), "\(plan.output)")
        #expect(plan.output.contains("pi5 for app: Recommended"), "\(plan.output)")
        // What is selected is the first of the list, with what decided it.
        let json = try await RecipeCommandTests.homelab(["plan", "--snapshot", file, "--add-device", pi5, "-o", "json", recipe])
        let decoded = try WireCoding.decoder.decode(Plan.self, from: Data(json.output.utf8))
        let first = try #require(decoded.rankings.first?.devices.first)
        let choice = try #require(decoded.placements.first?.choices.first)
        #expect(choice.device == first.device && ["pi5", "pi-zero"].contains(choice.device), "always on and low power first: \(decoded.rankings)")
        #expect(decoded.rankings.first?.devices.last?.device == "laptop", "not always on")
        #expect(plan.output.contains("Selected\n  \(choice.device) (\(choice.tier.words)): \(choice.reason)\n    \(choice.decision.words)\n"), "\(plan.output)")

        // This build reads version 1 files (CPU as its latest reading) and refuses a newer version, saying which it reads.
        let encoded = String(decoding: try WireCoding.encoder.encode(snapshot), as: UTF8.self)
        #expect(encoded.contains("\"version\":2"))
        let older = try dir.write("old.json", encoded.replacingOccurrences(of: "\"version\":2", with: "\"version\":1"))
        let old = try await RecipeCommandTests.homelab(["plan", "--snapshot", older, recipe])
        #expect(old.status == 0 && old.output.contains("Selected"), "\(old.errors)")
        let newer = try dir.write("new.json", encoded.replacingOccurrences(of: "\"version\":2", with: "\"version\":3"))
        let refused = try await RecipeCommandTests.homelab(["plan", "--snapshot", newer, recipe])
        #expect(refused.status == 1 && refused.errors.contains("is a version 3 snapshot; this homelab reads versions 1-2"), "\(refused.errors)")
        let badDevice = try await RecipeCommandTests.homelab(["plan", "--snapshot", file, "--add-device", "arch=arm64", recipe])
        #expect(badDevice.status == 64 && badDevice.errors.contains("needs name=NAME"))
        let badWeight = try await RecipeCommandTests.homelab(["plan", "--snapshot", file, "--weight", "luck=3", recipe])
        #expect(badWeight.status == 64 && badWeight.errors.contains("luck is not a factor"), "\(badWeight.errors)")
        // Weights from the command line reach the factors.
        let weighted = try await RecipeCommandTests.homelab(["plan", "--snapshot", file, "--weight", "power=0,traits=0,always-on=0", "-o", "json", recipe])
        #expect(weighted.status == 0)
        let factors = try WireCoding.decoder.decode(Plan.self, from: Data(weighted.output.utf8)).rankings.first?.devices.first?.factors
        #expect(factors?.first { $0.name == "power" }?.weight == 0)

        // Rebalance: the laptop carries too much; its app moves to the idle mini PC of the same architecture.
        var loaded = snapshot
        loaded.devices[0].memoryAvailableBytes = gib
        loaded.devices[0].apps = [DeployedApp(recipe: "jellyfin", memoryBytes: 4 * gib)]
        loaded.devices.append(DeviceState(name: "mini-pc", architecture: "x86_64", cores: 4, memoryTotalBytes: 16 * gib, memoryAvailableBytes: 14 * gib,
                                          storageTotalBytes: 512 * gib, storageAvailableBytes: 400 * gib))
        let busy = try dir.write("busy.json", String(decoding: try WireCoding.encoder.encode(loaded), as: UTF8.self))
        let moves = try await RecipeCommandTests.homelab(["plan", "--snapshot", busy, "--rebalance"])
        #expect(moves.status == 0, "\(moves.errors)")
        #expect(moves.output.contains("jellyfin  laptop  mini-pc"), "\(moves.output)")
        let none = try await RecipeCommandTests.homelab(["plan", "--snapshot", file, "--rebalance"])
        #expect(none.output == "No move lowers the peak pressure by a point or more.\n", "\(none.output)")
    }
}

/// `homelab recipes list|search|show|render` against a real controller serving the bundled catalog.
@Suite("homelab recipes, against the controller")
struct RecipeCatalogCommandTests {
    @Test("search, list with a filter, show and render a catalog recipe; an unknown id exits 3")
    func catalog() async throws {
        try await RealController.with { controller in
            let config = controller.directory.appendingPathComponent("config")
            func homelab(_ arguments: [String]) async throws -> EndToEndTests.Output {
                try await EndToEndTests.homelab(arguments, config: config)
            }
            #expect(try await homelab(["login", controller.url, "--token", try controller.adminToken, "--ca", controller.caPath]).status == 0)
            let search = try await homelab(["recipes", "search", "password", "manager"])
            #expect(search.status == 0 && search.stdout.hasPrefix("ID") && search.stdout.contains("vaultwarden"), "\(search.stdout)\(search.stderr)")
            let media = try await homelab(["recipes", "list", "--category", "media", "-o", "json"])
            #expect(media.status == 0 && media.stdout.contains("\"jellyfin\"") && !media.stdout.contains("\"vaultwarden\""))
            let show = try await homelab(["recipes", "show", "vaultwarden"])
            #expect(show.status == 0 && show.stdout.contains("Components") && show.stdout.contains("/tcp"), "\(show.stdout)")
            let render = try await homelab(["recipes", "render", "vaultwarden", "--name", "vault"])
            #expect(render.status == 0 && render.stdout.contains("\"x-homelab-project\" : \"vault\""), "\(render.stdout)\(render.stderr)")
            let missing = try await homelab(["recipes", "show", "no-such-app"])
            #expect(missing.status == 3, "\(missing.stderr)")
        }
    }
}
