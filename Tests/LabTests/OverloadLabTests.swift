import CLI
import Foundation
import Protocol
import Testing
import TestSupport

/// Overload in the lab: a device made to use more than 90 % of its declared RAM by a memory-hog container, the
/// suggestion that follows (the right app, the right destination), and the move started from it.
// In the lab suite's extension: one lab per machine, so every lab test runs in that one serialized suite.
extension LabTests {
    @Test("a Pi held above 90 % of its RAM by a memory hog gets a suggestion to move the hog to the NAS; pinned it gets none; started, the migration moves it")
    func memoryHogSuggestion() async throws {
        try lab.down()
        defer { try? lab.down() }
        // The finest rung at 2 s and overload after 10 s, so the test needs seconds, not the default 15 minutes.
        try lab.run(["up", "--device", "pi4:ram=512M,cores=4,always-on=true", "--device", "nas:ram=8G,disk=2T,cores=4,always-on=true,watts=15",
                     "--heartbeat-ttl", "12"],
                    environment: ["LAB_AGENT_EXTRA": "heartbeat_interval: 1s\nsample_interval: 2s\n",
                                  "LAB_CONTROLLER_EXTRA": "--history 2s:10m --history 1m:1h --overload-after 10 --app-sample-interval 2"])
        let settings = try lab.settings()
        try await lab.waitForDevices(settings, within: .seconds(60), "pi4 and nas online with memory") { devices in
            devices.count == 2 && devices.allSatisfy { $0.status == .online && $0.metrics?.memory != nil }
        }
        let accepted = try await APIClient.withClient(settings) { client in
            try await client.post(APIPaths.deployments, json: DeployRequest(recipeYAML: TestRecipes.memoryHog(image: "198.18.0.1:5000/busybox:latest", megabytes: 470),
                                                                   recipeFile: "memory-hog.yaml", placement: .devices([Placement.everyComponent: "pi4"])),
                                  as: DeployAccepted.self)
        }
        #expect(accepted.deployment.components.map(\.device) == ["pi4"])
        try await waitForRunning(settings, "memory-hog")
        let overload = try await waitForSuggestion(settings, device: "pi4")
        let move = try #require(overload.suggestion)
        #expect(move.deployment == "memory-hog" && move.from == "pi4" && move.to == "nas", "\(overload.sentence)")
        #expect(move.command == "homelab apps migrate memory-hog --to nas")
        #expect(overload.sentence.contains("memory-hog uses") && overload.sentence.contains("→ move it to nas?"), "\(overload.sentence)")
        #expect((overload.numbers["appBytes"] ?? 0) > 400 * 1_048_576, "the hog's measured memory, not its recipe's 16 MB")
        // The health of pi4 is red, for its RAM.
        let pi = try await lab.devices(settings).first { $0.name == "pi4" }
        #expect(pi?.health?.level == .red && pi?.health?.worst == .memory, "\(String(describing: pi?.health))")

        // Pinned, the hog is never suggested.
        _ = try await APIClient.withClient(settings) { try await $0.put(APIPaths.pin("memory-hog"), json: Empty(), as: PinStatus.self) }
        let pinned = try await APIClient.withClient(settings) { try await $0.get(APIPaths.insights, as: InsightsResponse.self) }
            .items.first { $0.kind == .overload && $0.device == "pi4" }
        #expect(pinned?.suggestion == nil && pinned?.sentence.hasSuffix("its apps are pinned") == true, "\(String(describing: pinned?.sentence))")

        // Unpinned, starting the suggestion submits the migration, which moves the hog to the NAS.
        _ = try await APIClient.withClient(settings) { try await $0.delete(APIPaths.pin("memory-hog")) }
        let again = try #require(try await waitForSuggestion(settings, device: "pi4").suggestion)
        _ = try await APIClient.withClient(settings) { try await $0.post(again.start, as: MoveSuggestion.self) }
        let moved = try await waitForMigration(settings, "memory-hog")
        #expect(moved.outcome == "succeeded", "\(String(describing: moved.failure))")
        let after = try await APIClient.withClient(settings) { try await $0.get(APIPaths.deployment("memory-hog"), as: DeploymentDetail.self) }
        #expect(after.deployment.components.map(\.device) == ["nas"] && after.deployment.state == .running)
    }

    /// Waits for the newest migration job of deployment `name` to end.
    func waitForMigration(_ settings: ClientSettings, _ name: String) async throws -> JobResource {
        let jobs = try await APIClient.withClient(settings) { try await $0.get(APIPaths.jobs + "?kind=migrate", as: ListResponse<JobResource>.self) }
        guard let job = jobs.items.first(where: { $0.subjectName == name }) else { throw LabError(description: "no migration job of \(name)") }
        return try await MigrationLab(lab: lab).job(settings, job.id)
    }

    /// Polls the deployment until it runs.
    func waitForRunning(_ settings: ClientSettings, _ name: String) async throws {
        let deadline = ContinuousClock.now + .seconds(90)
        var state: DeploymentState?
        while ContinuousClock.now < deadline {
            state = try? await APIClient.withClient(settings) { try await $0.get(APIPaths.deployment(name), as: DeploymentDetail.self) }.deployment.state
            if state == .running { return }
            if state == .rolledBack || state == .failed { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        throw LabError(description: "\(name) did not reach running (last: \(String(describing: state)))\n\(lab.agentLogs())")
    }

    /// Polls the insights until the device's overload comes with a suggestion.
    func waitForSuggestion(_ settings: ClientSettings, device: String) async throws -> Insight {
        let deadline = ContinuousClock.now + .seconds(60)
        var last: [Insight] = []
        while ContinuousClock.now < deadline {
            last = (try? await APIClient.withClient(settings) { try await $0.get(APIPaths.insights, as: InsightsResponse.self) }.items) ?? []
            if let found = last.first(where: { $0.kind == .overload && $0.device == device && $0.suggestion != nil }) { return found }
            try await Task.sleep(for: .seconds(1))
        }
        let devices = (try? await lab.devices(settings).map { "\($0.name): \(String(describing: $0.health))" }) ?? []
        throw LabError(description: "no overload suggestion for \(device) within 60 s; insights: \(last.map(\.sentence)); health: \(devices)")
    }
}
