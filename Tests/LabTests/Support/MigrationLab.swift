import CLI
import Foundation
import Protocol
import Testing
import TestSupport

/// What the migration tests do in the lab: deploy the hello-web recipe on the source, fill its volume,
/// start migrations through the API and follow their jobs, and look at both devices' dockerds.
struct MigrationLab: Sendable {
    let lab: Lab
    var transfers: TransferLab { TransferLab(lab: lab) }
    static let source = TransferLab.source, destination = TransferLab.destination
    static let image = "198.18.0.1:5000/busybox:latest"
    /// The deployment whose volume's stream the source's agent corrupts.
    static let flipped = "flipme"

    /// Deploys hello-web as `name` on the source, publishing `port`, and waits until it runs.
    func deploy(_ settings: ClientSettings, _ name: String, port: Int, image: String = MigrationLab.image) async throws {
        let body = DeployRequest(recipeYAML: TestRecipes.helloWeb, recipeFile: "hello-web.yaml", name: name,
                                 placement: .devices([Placement.everyComponent: Self.source]), inputs: ["IMAGE": image, "WEB_PORT": "\(port)"],
                                 healthTimeout: 60)
        _ = try await APIClient.withClient(settings) { try await $0.post(APIPaths.deployments, json: body, as: DeployAccepted.self) }
        try await LabTests().waitForRunning(settings, name)
    }

    /// Where the controller's migrations look for hold files (a debug-build hook: `MigrationTestHold`).
    var holds: String { "\(lab.dir)/migration-holds" }
    var holdEnvironment: [String: String] { ["HOMELAB_TEST_HOLD_MIGRATION": holds] }

    /// Starts a migration and polls its job until it ends.
    func migrate(_ settings: ClientSettings, _ name: String, _ request: MigrationRequest, timeout: Duration = .seconds(240)) async throws -> JobResource {
        let accepted = try await APIClient.withClient(settings) { try await $0.post(APIPaths.migrations(name), json: request, as: MigrationAccepted.self) }
        return try await job(settings, accepted.job, timeout: timeout)
    }

    /// Polls job `id` until it ended.
    func job(_ settings: ClientSettings, _ id: String, timeout: Duration = .seconds(240)) async throws -> JobResource {
        let deadline = ContinuousClock.now + timeout
        var job: JobResource?
        while ContinuousClock.now < deadline {
            job = try? await APIClient.withClient(settings) { try await $0.get("\(APIPaths.jobs)/\(id)", as: JobResource.self) }
            if let job, !job.isActive {
                Lab.trace("migration job \(id): \(job.outcome ?? "") \(job.failure.map { "\($0.code): \($0.message)" } ?? "")")
                return job
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        throw LabError(description: "migration job \(id) did not end within \(timeout) (last: \(String(describing: job)))\n\(lab.agentLogs())")
    }

    /// The deployment as the controller has it.
    func deployment(_ settings: ClientSettings, _ name: String) async throws -> DeploymentResource {
        try await APIClient.withClient(settings) { try await $0.get(APIPaths.deployment(name), as: DeploymentDetail.self) }.deployment
    }

    /// The containers of stack `project` on a device, as `NAME STATE` lines.
    func containers(_ project: String, on device: String) throws -> [String] {
        try transfers.docker(device, ["ps", "-a", "--filter", "label=com.docker.compose.project=\(project)", "--format", "{{.Names}} {{.State}}"])
            .split(separator: "\n").map(String.init)
    }

    /// What the app serves on a device's published port.
    func served(_ device: String, port: Int) throws -> String {
        try lab.run(["exec", device, "wget", "-q", "-T", "5", "-O", "-", "http://127.0.0.1:\(port)/"])
    }

    /// Exactly one of: the app at the source with its data, or at the destination
    /// with identical data; the side that lost keeps no container and no volume of it.
    func expectRunningAt(_ device: String, _ name: String, original: [String], settings: ClientSettings) async throws {
        let other = device == Self.source ? Self.destination : Self.source
        let resource = try await deployment(settings, name)
        #expect(resource.components.map(\.device) == [device] && resource.state == .running, "\(resource.components) \(resource.state)")
        #expect(try containers(name, on: device).allSatisfy { $0.hasSuffix(" running") } && !(try containers(name, on: device)).isEmpty)
        #expect(try transfers.walk(transfers.mountpoint("\(name)_data", on: device)) == original, "the data at \(device) is the original")
        if other == Self.destination {
            #expect(try containers(name, on: other).isEmpty, "\(other) keeps no container of \(name)")
            #expect(!(try transfers.volumes(on: other)).contains("\(name)_data"), "\(other) keeps no volume of \(name)")
        } else {
            #expect(try containers(name, on: other).allSatisfy { !$0.hasSuffix(" running") }, "the source is kept stopped")
        }
    }
}
