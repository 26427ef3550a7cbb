import CLI
import Foundation
import Protocol
import Scheduler
import Testing
import TestSupport

extension LabTests {
    /// The roadmap's homelab, as `deploy/lab/lab up` declares it.
    static let roadmapDevices = ["nas:ram=8G,disk=2T,cores=4,always-on=true,watts=15", "pi4:ram=2G,disk=16G,cores=4,always-on=true,watts=5",
                                 "pizero:ram=512M,disk=8G,cores=1,always-on=false,watts=2"]

    @Test("the roadmap's example through the real CLI, twice with a CPU hog on the Pi Zero in between: the NAS Recommended and selected, the Pi 4 OK with low storage, the Pi Zero short of RAM; same order, same pick")
    func roadmapRecommendation() async throws {
        try lab.down()
        defer { try? lab.down() }
        try lab.up(Self.roadmapDevices.flatMap { ["--device", $0] } + ["--no-docker", "--heartbeat-ttl", "\(Self.ttl * 3)"])
        let settings = try lab.settings()
        try await lab.waitForDevices(settings, within: .seconds(60), "nas, pi4 and pizero online with CPU, memory and disk figures") { devices in
            devices.count == 3 && devices.allSatisfy { $0.status == .online && $0.metrics?.cpu != nil && $0.metrics?.memory != nil && $0.metrics?.filesystems?.isEmpty == false }
        }
        // The catalog's Vaultwarden as a file, needing 1 GB of RAM as the roadmap's example does, and 3 GB for its
        // vault and attachments: more than a 16 GB card can give room to grow, whatever the host's own disk holds.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("recommend-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let original = try String(contentsOf: Lab.packageRoot.appendingPathComponent("recipes/vaultwarden.yaml"), encoding: .utf8)
        let text = original.replacingOccurrences(of: "memory: 128M\n      storage: 1G", with: "memory: 1G\n      storage: 3G")
        try #require(text != original, "recipes/vaultwarden.yaml no longer declares 128M and 1G")
        let recipe = dir.appendingPathComponent("vaultwarden.yaml").path
        try text.write(toFile: recipe, atomically: true, encoding: .utf8)

        let quiet = try recommend(recipe)
        let hog = try ChildProcess("/bin/bash", [Lab.script, "--dir", lab.dir, "exec", "pizero", "timeout", "30", "sh", "-c", "while :; do :; done"])
        defer { _ = hog.wait() }
        // The hog shows in what the devices report (lab devices share the host's CPU) before the second run.
        try await lab.waitForDevices(settings, within: .seconds(20), "the CPU hog visible in pizero's metrics") { devices in
            (devices.first { $0.name == "pizero" }?.metrics?.cpu?.totalPercent ?? 0) >= 45
        }
        let busy = try recommend(recipe)

        for plan in [quiet, busy] {
            let ranking = try #require(plan.rankings.first?.devices)
            #expect(ranking.map(\.device) == ["nas", "pi4", "pizero"], "\(ranking.map { "\($0.device) \($0.tier.words) \($0.score): \($0.reason)" })")
            #expect(ranking.map(\.tier) == [.recommended, .ok, .notRecommended])
            #expect(ranking[0].reason.contains("RAM free") && ranking[0].reason.contains("always on"), "\(ranking[0].reason)")
            #expect(!ranking[0].reason.contains("low power"), "a 15 W NAS is not low power beside a 5 W Pi: \(ranking[0].reason)")
            #expect(ranking[1].reason.contains("low storage"), "\(ranking[1].reason)")
            #expect(ranking[2].reason.hasSuffix("RAM free, app needs 1 GB"), "\(ranking[2].reason)")
            #expect(plan.placements.first?.choices.first?.device == "nas")
            #expect(plan.placements.first?.choices.first?.decision.words.hasPrefix("pi4 is OK: low storage") == true)
        }
        #expect(quiet.rankings.first?.devices.map(\.device) == busy.rankings.first?.devices.map(\.device))

        // What a person reads: the tiers with their words, then what was selected and why.
        let (status, table) = try homelab(["recommend", recipe])
        #expect(status == 0, "\(table)")
        #expect(table.contains("Selected\n  nas (Recommended): "), "\(table)")
        #expect(table.contains("pi4 is OK: low storage"), "\(table)")
    }

    /// `homelab recommend FILE -o json` against the lab's controller, decoded.
    func recommend(_ recipe: String) throws -> Plan {
        let (status, output) = try homelab(["recommend", recipe, "-o", "json"])
        try #require(status == 0, "homelab recommend exited \(status): \(output)")
        return try WireCoding.decoder.decode(Plan.self, from: Data(output.utf8))
    }
}
