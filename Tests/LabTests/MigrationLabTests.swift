import CLI
import Foundation
import Protocol
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

extension LabTests {
    /// Apps moved between two lab devices by the migration job (real agents and dockerds, the peer port,
    /// the controller's job runner), and the ways a move fails: every failure ends with the app running where
    /// it was, with its data, and the destination holding nothing of it.
    @Suite("Migrations between lab devices", TransferLabScope(agentExtra: TransferLab.corrupting("\(MigrationLab.flipped)_data"), holds: true))
    struct MigrationLabTests {
        let lab = Lab()
        var migrations: MigrationLab { MigrationLab(lab: lab) }
        static let source = MigrationLab.source, destination = MigrationLab.destination
        /// The deployment whose volume's stream the source's agent corrupts (a debug-build hook).
        static let flipped = MigrationLab.flipped

        func ready() async throws -> ClientSettings { try await migrations.transfers.ready() }

        /// Deploys `name` on the source with files in its volume; the independent walk of that volume.
        func deployWithData(_ settings: ClientSettings, _ name: String, port: Int, script: String = "head -c 3000000 /dev/urandom > blob && mkdir -p notes && echo kept > 'notes/a b.txt'",
                            image: String = MigrationLab.image) async throws -> [String] {
            try await migrations.deploy(settings, name, port: port, image: image)
            let directory = try migrations.transfers.mountpoint("\(name)_data", on: Self.source)
            try migrations.transfers.shell(script, in: directory)
            return try migrations.transfers.walk(directory)
        }

        @Test("an app with data moves: identical data at the destination, serving there, the source kept stopped; --finish removes the source")
        func happyPath() async throws {
            let settings = try await ready()
            let original = try await deployWithData(settings, "moveme", port: 18280)
            let job = try await migrations.migrate(settings, "moveme", MigrationRequest(to: Self.destination))
            #expect(job.outcome == "succeeded" && job.kind == "migrate", "\(String(describing: job.failure))")
            try await migrations.expectRunningAt(Self.destination, "moveme", original: original, settings: settings)
            #expect(try migrations.served(Self.destination, port: 18280).contains("hello"))
            #expect(try migrations.transfers.volumes(on: Self.source).contains("moveme_data"), "the source keeps its volume for a rollback")
            #expect(!(try migrations.containers("moveme", on: Self.source)).isEmpty, "the source keeps its stopped stack")
            let detail = try await APIClient.withClient(settings) { try await $0.get(APIPaths.deployment("moveme"), as: DeploymentDetail.self) }
            #expect(detail.steps.contains { $0.message.contains("manifests equal") }, "\(detail.steps.map(\.message))")
            #expect(detail.deployment.url?.contains("198.18.0.11:18280") == true, "the URL names the destination: \(String(describing: detail.deployment.url))")

            let finished = try await migrations.migrate(settings, "moveme", MigrationRequest(finish: true))
            #expect(finished.outcome == "succeeded", "\(String(describing: finished.failure))")
            #expect(try migrations.containers("moveme", on: Self.source).isEmpty && !(try migrations.transfers.volumes(on: Self.source)).contains("moveme_data"))
            #expect(try migrations.served(Self.destination, port: 18280).contains("hello"), "the app still runs at the destination")
            do {
                _ = try await migrations.migrate(settings, "moveme", MigrationRequest(finish: true))
                Issue.record("a second --finish was accepted")
            } catch let error as CLIError {
                #expect(error.controller?.code == .conflict)
            }
            try await APIClient.withClient(settings) { try await $0.delete(APIPaths.deployment("moveme") + "?data=delete") }
        }

        @Test("--warm copies while the app runs, then only what changed with it stopped; --remove-source leaves nothing at the source")
        func warm() async throws {
            let settings = try await ready()
            let original = try await deployWithData(settings, "warmme", port: 18285)
            let job = try await migrations.migrate(settings, "warmme", MigrationRequest(to: Self.destination, removeSource: true, warm: true))
            #expect(job.outcome == "succeeded", "\(String(describing: job.failure))")
            let detail = try await APIClient.withClient(settings) { try await $0.get(APIPaths.deployment("warmme"), as: DeploymentDetail.self) }
            let said = detail.steps.map(\.message)
            #expect(said.contains { $0.hasSuffix("live copy") } && said.contains("Copying what changed since the warm copy"), "\(said)")
            #expect(said.contains { $0.contains("manifests equal") })
            #expect(try migrations.transfers.walk(migrations.transfers.mountpoint("warmme_data", on: Self.destination)) == original)
            #expect(try migrations.containers("warmme", on: Self.source).isEmpty && !(try migrations.transfers.volumes(on: Self.source)).contains("warmme_data"))
            try await APIClient.withClient(settings) { try await $0.delete(APIPaths.deployment("warmme") + "?data=delete") }
        }

        @Test("moving a provider repoints its consumer on another device: the consumer's stack is rendered with the new address and applied again")
        func consumerRepointed() async throws {
            let settings = try await ready()
            let body = DeployRequest(recipeYAML: TestRecipes.helloSplit, recipeFile: "hello-split.yaml", name: "split",
                                     placement: .devices(["db": Self.source, "web": Self.destination]), inputs: ["IMAGE": MigrationLab.image], healthTimeout: 60)
            _ = try await APIClient.withClient(settings) { try await $0.post(APIPaths.deployments, json: body, as: DeployAccepted.self) }
            try await LabTests().waitForRunning(settings, "split")
            do {
                _ = try await migrations.migrate(settings, "split", MigrationRequest(to: Self.destination))
                Issue.record("a deployment of several components moved without --component")
            } catch let error as CLIError {
                #expect(error.controller?.code == .badRequest && error.message.contains("name the one to move"), "\(error.message)")
            }
            let job = try await migrations.migrate(settings, "split", MigrationRequest(to: Self.destination, component: "db"))
            #expect(job.outcome == "succeeded", "\(String(describing: job.failure))")
            let detail = try await APIClient.withClient(settings) { try await $0.get(APIPaths.deployment("split"), as: DeploymentDetail.self) }
            #expect(detail.deployment.components.map(\.device) == [Self.destination, Self.destination])
            #expect(detail.steps.contains { $0.message == "web on \(Self.destination) now uses db on \(Self.destination)" }, "\(detail.steps.map(\.message))")
            let command = try migrations.transfers.docker(Self.destination, ["inspect", "-f", "{{json .Config.Cmd}}", "split-web-front-1"])
            #expect(command.contains("198.18.0.11:18181") && !command.contains("198.18.0.10:"), "the consumer asks the new address: \(command)")
            try await migrations.transfers.eventually("the consumer serves what the moved provider answers", within: .seconds(30)) {
                try !migrations.served(Self.destination, port: 18180).isEmpty
            }
            _ = try await migrations.migrate(settings, "split", MigrationRequest(finish: true))
            try await APIClient.withClient(settings) { try await $0.delete(APIPaths.deployment("split") + "?data=delete") }
        }

        @Test("a dry run says what would move, with sizes and room, and changes nothing")
        func dryRun() async throws {
            let settings = try await ready()
            _ = try await deployWithData(settings, "planme", port: 18281)
            let plan = try await APIClient.withClient(settings) {
                try await $0.post(APIPaths.migrations("planme"), json: MigrationRequest(to: "auto", dryRun: true), as: MigrationPlan.self)
            }
            #expect(plan.destination == Self.destination && plan.source == Self.source && plan.fits)
            #expect(plan.volumes.map(\.name) == ["planme_data"] && (plan.volumes.first?.bytes ?? 0) >= 3_000_000)
            #expect(plan.images == [MigrationLab.image] && plan.downtimeSeconds >= 10 && plan.steps.count >= 9)
            #expect(try migrations.containers("planme", on: Self.destination).isEmpty && !(try migrations.transfers.volumes(on: Self.destination)).contains("planme_data"))
            #expect(try migrations.containers("planme", on: Self.source).allSatisfy { $0.hasSuffix(" running") })
            let jobs = try await APIClient.withClient(settings) { try await $0.get(APIPaths.jobs + "?kind=migrate", as: ListResponse<JobResource>.self) }
            #expect(!jobs.items.contains { $0.subjectName == "planme" }, "a dry run submits no job")
            try await APIClient.withClient(settings) { try await $0.delete(APIPaths.deployment("planme") + "?data=delete") }
        }

        @Test("refused before anything stops: no room at the destination for 1.2 × the volumes; the app keeps running")
        func noRoom() async throws {
            let settings = try await ready()
            let original = try await deployWithData(settings, "bigone", port: 18282, script: "fallocate -l 280M blob")
            let job = try await migrations.migrate(settings, "bigone", MigrationRequest(to: Self.destination))
            #expect(job.outcome == "rolled-back" && job.failure?.code == .insufficientStorage, "\(String(describing: job.failure))")
            try await migrations.expectRunningAt(Self.source, "bigone", original: original, settings: settings)
            try await APIClient.withClient(settings) { try await $0.delete(APIPaths.deployment("bigone") + "?data=delete") }
        }

        @Test("a byte flipped in flight is caught by the manifest check: rolled back, running at the source, the destination empty")
        func corrupted() async throws {
            let settings = try await ready()
            let original = try await deployWithData(settings, Self.flipped, port: 18283, script: "head -c 4194304 /dev/urandom > blob")
            let job = try await migrations.migrate(settings, Self.flipped, MigrationRequest(to: Self.destination))
            #expect(job.outcome == "rolled-back" && job.failure?.code == .manifestMismatch, "\(String(describing: job.failure))")
            try await migrations.expectRunningAt(Self.source, Self.flipped, original: original, settings: settings)
            #expect(try migrations.served(Self.source, port: 18283).contains("hello"), "the source serves again")
            try await APIClient.withClient(settings) { try await $0.delete(APIPaths.deployment(Self.flipped) + "?data=delete") }
        }

        @Test("a health check failing at the destination restarts the source: rolled back with the failure's code, the destination empty")
        func unhealthyAtDestination() async throws {
            let settings = try await ready()
            // The same image name on both devices; in the destination's copy /www is a file, so the app cannot serve there and exits.
            let image = "lab-local/hello:1"
            try migrations.transfers.docker(Self.source, ["pull", MigrationLab.image])
            try migrations.transfers.docker(Self.source, ["tag", MigrationLab.image, image])
            try migrations.transfers.docker(Self.destination, ["pull", MigrationLab.image])
            try migrations.transfers.docker(Self.destination, ["run", "--name", "nohttpd", MigrationLab.image, "touch", "/www"])
            try migrations.transfers.docker(Self.destination, ["commit", "nohttpd", image])
            try migrations.transfers.docker(Self.destination, ["rm", "nohttpd"])
            let original = try await deployWithData(settings, "sickly", port: 18284, image: image)
            let job = try await migrations.migrate(settings, "sickly", MigrationRequest(to: Self.destination))
            #expect(job.outcome == "rolled-back" && [.unhealthy, .healthTimeout].contains(job.failure?.code), "\(String(describing: job.failure))")
            try await migrations.expectRunningAt(Self.source, "sickly", original: original, settings: settings)
            #expect(try migrations.served(Self.source, port: 18284).contains("hello"), "the source was started again")
            try await APIClient.withClient(settings) { try await $0.delete(APIPaths.deployment("sickly") + "?data=delete") }
        }

        @Test("homelab devices evacuate moves every app off the device one at a time, goes on past a failed one, and ends with a summary")
        func evacuate() async throws {
            let settings = try await ready()
            let original = try await deployWithData(settings, "evac-a", port: 18290)
            let big = try await deployWithData(settings, "evac-big", port: 18291, script: "fallocate -l 280M blob")
            var environment = ProcessInfo.processInfo.environment
            environment.merge(try lab.environment()) { $1 }
            let result = try await ChildProcess.run("\(Lab.binaries)/homelab", ["devices", "evacuate", Self.source, "--to", Self.destination],
                                                    environment: environment)
            Lab.trace(result.output + result.errors)
            #expect(result.status == 1, "one move failed: exit 1")
            let summary = result.output.split(separator: "\n").map(String.init)
            #expect(summary.contains { $0.hasPrefix("evac-a ") && $0.contains("succeeded") }, "\(result.output)")
            #expect(summary.contains { $0.hasPrefix("evac-big ") && $0.contains("rolled-back") && $0.contains("insufficient_storage") }, "\(result.output)")
            #expect(result.errors.contains("1 of 2 moves off \(Self.source) failed: evac-big"), "\(result.errors)")
            try await migrations.expectRunningAt(Self.destination, "evac-a", original: original, settings: settings)
            try await migrations.expectRunningAt(Self.source, "evac-big", original: big, settings: settings)
            _ = try await migrations.migrate(settings, "evac-a", MigrationRequest(finish: true))
            for name in ["evac-a", "evac-big"] { try await APIClient.withClient(settings) { try await $0.delete(APIPaths.deployment(name) + "?data=delete") } }
        }

        /// A fault struck while the job is held before a step's action.
        enum Fault: String, CaseIterable, Sendable {
            case controllerKilled = "ctl", sourceAgentKilled = "src", destinationAgentKilled = "dst", linkCut = "link"
        }

        /// One cell of the matrix: a step (the job's state name) and a fault.
        struct Cell: Sendable, CustomTestStringConvertible {
            var step: String
            var fault: Fault
            var testDescription: String { "\(step) × \(fault)" }

            static let steps = ["preflight", "pulling", "stopping-source", "copying", "applying", "health-checking", "committing", "repointing"]
            /// `make test` runs a fixed sample; `make test-faults` (HOMELAB_TEST_FAULTS=all) every cell.
            static var cells: [Cell] {
                guard ProcessInfo.processInfo.environment["HOMELAB_TEST_FAULTS"] == "all" else {
                    return [Cell(step: "copying", fault: .controllerKilled), Cell(step: "applying", fault: .destinationAgentKilled),
                            Cell(step: "stopping-source", fault: .sourceAgentKilled), Cell(step: "health-checking", fault: .linkCut)]
                }
                return steps.flatMap { step in Fault.allCases.map { Cell(step: step, fault: $0) } }
            }
        }

        @Test("a kill or a cut link at any step ends with the app running at exactly one side with its data, nothing left at the side that lost",
              arguments: Cell.cells)
        func fault(_ cell: Cell) async throws {
            let settings = try await ready()
            let index = Cell.steps.firstIndex(of: cell.step)! * Fault.allCases.count + Fault.allCases.firstIndex(of: cell.fault)!
            let name = "mf-\(index)-\(cell.fault.rawValue)"
            let original = try await deployWithData(settings, name, port: 18300 + index, script: "head -c 2000000 /dev/urandom > blob && echo x > small")
            let holds = migrations.holds
            try FileManager.default.createDirectory(atPath: holds, withIntermediateDirectories: true)
            let hold = "\(holds)/\(cell.step)"
            #expect(FileManager.default.createFile(atPath: hold, contents: nil))
            defer { try? FileManager.default.removeItem(atPath: hold) }
            let accepted = try await APIClient.withClient(settings) {
                try await $0.post(APIPaths.migrations(name), json: MigrationRequest(to: Self.destination), as: MigrationAccepted.self)
            }
            try await migrations.transfers.eventually("the job held before \(cell.step)", within: .seconds(90)) {
                FileManager.default.fileExists(atPath: hold + ".reached")
            }
            try? FileManager.default.removeItem(atPath: hold + ".reached")
            switch cell.fault {
            case .controllerKilled:
                let pid = Int32(try String(contentsOfFile: "\(lab.dir)/controller.pid", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines))!
                kill(pid, SIGKILL)
                try FileManager.default.removeItem(atPath: hold)
                try lab.run(["restart-controller"], environment: migrations.holdEnvironment)
            case .sourceAgentKilled, .destinationAgentKilled:
                let device = cell.fault == .sourceAgentKilled ? Self.source : Self.destination
                kill(try migrations.transfers.agentPID(device), SIGKILL)
                try FileManager.default.removeItem(atPath: hold)
                try await Task.sleep(for: .seconds(3))
                try lab.run(["start-agent", device])
            case .linkCut:
                try lab.run(["link", Self.destination, "down"])
                try FileManager.default.removeItem(atPath: hold)
                try await Task.sleep(for: .seconds(6))
                try lab.run(["link", Self.destination, "up"])
            }
            let job = try await migrations.job(settings, accepted.job, timeout: .seconds(300))
            _ = try await ready()
            let resource = try await migrations.deployment(settings, name)
            let side = resource.components.first?.device ?? "?"
            Lab.trace("fault matrix \(cell.testDescription): \(job.outcome ?? "?") \(job.failure.map { "\($0.code)" } ?? "") → running at \(side)")
            #expect(job.outcome == "succeeded" || job.outcome == "rolled-back", "\(String(describing: job.failure))")
            #expect([Self.source, Self.destination].contains(side))
            try await migrations.transfers.eventually("\(name) settled at \(side)", within: .seconds(30)) {
                try migrations.containers(name, on: side).allSatisfy { $0.hasSuffix(" running") }
            }
            try await migrations.expectRunningAt(side, name, original: original, settings: settings)
            if side == Self.destination { _ = try await migrations.migrate(settings, name, MigrationRequest(finish: true)) }
            try await APIClient.withClient(settings) { try await $0.delete(APIPaths.deployment(name) + "?data=delete") }
        }
    }
}
