import Agent
@testable import Controller
import Foundation
import Protocol
import Synchronization
import Testing
import TestSupport

/// A mover standing in for the migration job: it records what it was asked to move.
final class RecordingMover: AppMover {
    let moves = Mutex<[String]>([])
    func move(deployment: String, component: String, to device: String) async throws {
        moves.withLock { $0.append("\(deployment)/\(component) → \(device)") }
    }
}

/// Overload on this machine's dockerd: a memory hog deployed to a device that declares 160 MB, whose agent counts the
/// hog's cgroup as its memory (as a lab device counts its dockerd's), then the suggestion, its start through the mover,
/// pins, and automatic moves only inside their window.
@Suite("Overload and suggested moves (real dockerd)", .serialized, .enabled(if: DockerForControllerTests.enabled))
struct OverloadTests {
    /// The memory cgroup of a container, as `/proc/PID/cgroup` names it (`/docker/ID` on cgroup v1, a scope on v2).
    static func memoryCgroup(ofProject project: String) throws -> String {
        let container = try #require(DockerCLI.containers(project: project).first)
        let pid = try #require(DockerCLI.lines(["inspect", "-f", "{{.State.Pid}}", container]).first)
        let lines = try String(contentsOfFile: "/proc/\(pid)/cgroup", encoding: .utf8).split(separator: "\n")
        let line = try #require(lines.first { $0.contains(":memory:") } ?? lines.first { $0.hasPrefix("0::") })
        return String(line.split(separator: ":", maxSplits: 2)[2])
    }

    @Test("a device held above 90 % of its RAM by a hog gets the hog's move to the always-on device with room; it starts only through a mover")
    func memoryHog() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fixtures = try await ChildProcess.run("/bin/bash", [StackRoutesTests.fixtureScript])
        try #require(fixtures.status == 0, "\(StackRoutesTests.fixtureScript): \(fixtures.errors)")
        let mover = RecordingMover()
        let controller = try await TestController.start(stateDirectory: dir.appendingPathComponent("controller")) { config in
            config.historyLadder = try! HistoryLadder(parsing: ["1s:10m", "1m:1h"])
            config.insights.overloadAfter = 3
            config.insights.appSampleInterval = .seconds(1)
            config.mover = mover
        }
        let token = try await controller.token(reusable: true).token
        func stacks() -> StackRequests {
            var reconciler = StackReconciler(runtime: DockerEngine(socketPath: StackRoutesTests.socket),
                                             projectsDirectory: dir.appendingPathComponent("stacks").path, agentVersion: "test")
            reconciler.stopTimeout = 1
            return StackRequests(reconciler: reconciler)
        }
        let small = try HardwareProfile(parsing: "ram=160M,always-on=true")
        let piDir = dir.appendingPathComponent("pi4")
        var pi = try TestAgent.start(controllerPort: controller.agentPort, stateDirectory: piDir, token: token, name: "pi4", stacks: stacks(), profile: small)
        let nas = try TestAgent.start(controllerPort: controller.agentPort, stateDirectory: dir.appendingPathComponent("nas"), token: token, name: "nas",
                                      profile: try HardwareProfile(parsing: "ram=8G,always-on=true"))
        try await controller.waitForDevice("pi4") { $0.status == .online && $0.metrics?.memory != nil }
        try await controller.waitForDevice("nas") { $0.status == .online && $0.metrics?.memory != nil }
        let deployments = controller.app.context.deployments
        let accepted = try await deployments.deploy(DeployRequest(recipeYAML: TestRecipes.memoryHog(image: "homelab-test/busybox:1", megabytes: 150),
                                                                  recipeFile: "memory-hog.yaml", placement: .devices([Placement.everyComponent: "pi4"])))
        let project = try #require(accepted.deployment.components.first?.project)
        defer { DockerCLI.removeProject(project) }
        await deployments.idle()
        #expect(try await deployments.get("memory-hog").state == .running)
        // The Pi's agent again, now counting the hog's cgroup as its own memory.
        let cgroup = try Self.memoryCgroup(ofProject: project)
        await pi.stop()
        pi = try TestAgent.start(controllerPort: controller.agentPort, stateDirectory: piDir, name: "pi4", stacks: stacks(), profile: small, memoryCgroup: cgroup)

        let insights = controller.app.context.insights
        // Until the overload has lasted its 3 s and the hog's measured memory (not its recipe's 16 MB) is in its app's history.
        var overload: Insight?
        let deadline = ContinuousClock.now + .seconds(90)
        while ContinuousClock.now < deadline {
            overload = try await insights.current().first { $0.kind == .overload && $0.device == "pi4" && $0.suggestion != nil }
            if (overload?.numbers["appBytes"] ?? 0) > 140 * 1_048_576 { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        let health = try? await controller.registry.get("pi4").health
        let found = try #require(overload, "no overload suggestion; pi4: \(String(describing: health))")
        let move = try #require(found.suggestion)
        #expect(move.deployment == "memory-hog" && move.component == "app" && move.from == "pi4" && move.to == "nas")
        #expect(move.command == "homelab apps migrate memory-hog --to nas")
        #expect(found.sentence.hasPrefix("pi4: RAM above 90 % for 3 s"), "\(found.sentence)")
        #expect(found.sentence.contains("memory-hog uses") && found.sentence.contains("→ move it to nas? ("), "\(found.sentence)")
        #expect((found.numbers["appBytes"] ?? 0) > 140 * 1_048_576, "the hog's measured memory, not the recipe's 16 MB: \(found.numbers)")
        #expect(try await controller.registry.get("pi4").health?.level == .red)
        let usage = try await controller.registry.history.deployment(accepted.deployment.id, names: [.memory], range: .hour)
        #expect((usage.series.first?.points.last?.avg ?? 0) > 140 * 1_048_576, "the app's own history holds its memory")

        // Automatic moves: only inside their window, once an hour per suggestion.
        let now = Date()
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .current
        let minute = calendar.component(.hour, from: now) * 60 + calendar.component(.minute, from: now)
        func clock(_ minutes: Int) -> String { String(format: "%02d:%02d", (minutes + 1440) % 1440 / 60, (minutes + 1440) % 60) }
        let outside = AutomaticMoves(insights: insights, window: try DailyWindow(parsing: "\(clock(minute + 60))-\(clock(minute + 120))", timeZone: .current),
                                     interval: .seconds(60), logger: .init(label: "test"))
        #expect(await outside.step(tried: [:], now: now).isEmpty)
        #expect(mover.moves.withLock { $0 }.isEmpty, "outside the window nothing moves")
        let inside = AutomaticMoves(insights: insights, window: try DailyWindow(parsing: "\(clock(minute - 5))-\(clock(minute + 5))", timeZone: .current),
                                    interval: .seconds(60), logger: .init(label: "test"))
        let tried = await inside.step(tried: [:], now: now)
        #expect(mover.moves.withLock { $0 } == ["memory-hog/app → nas"])
        _ = await inside.step(tried: tried, now: now.addingTimeInterval(120))
        #expect(mover.moves.withLock { $0 }.count == 1, "tried once within the hour")

        // Pinned: never suggested, never moved.
        _ = try await deployments.pin("memory-hog", true)
        let pinned = try await insights.current().first { $0.kind == .overload && $0.device == "pi4" }
        #expect(pinned?.suggestion == nil && pinned?.sentence.hasSuffix("its apps are pinned") == true, "\(String(describing: pinned?.sentence))")
        _ = await inside.step(tried: [:], now: now.addingTimeInterval(4000))
        #expect(mover.moves.withLock { $0 }.count == 1)
        await #expect(throws: HomelabError.self) { try await insights.start(found.id) }

        await pi.stop()
        await nas.stop()
        await controller.stop()
    }
}
