import Foundation
import Protocol
import Testing
import TestSupport
@testable import Agent

/// The stack reconciler against the real dockerd.
@Suite("Stack apply (real dockerd)", .enabled(if: DockerFixtures.enabled))
struct StackApplyTests {
    /// A db-like service (a healthchecked HTTP server over a named volume, alias `database`) and a
    /// web service that fetches from it by that alias and serves the result on a published port.
    static func webAndDB(_ project: String, port: Int) -> StackSpec {
        var db = ServiceSpec(image: DockerFixtures.image)
        db.command = ["sh", "-c", "echo ok > /data/ok && exec httpd -f -p 8080 -h /data"]
        db.volumes = [MountSpec(type: "volume", source: "data", target: "/data")]
        db.networks = ["back": ServiceNetwork(aliases: ["database"])]
        db.healthcheck = Healthcheck(test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/ok"],
                                     interval: ComposeDuration(milliseconds: 500), retries: 20)
        var web = ServiceSpec(image: DockerFixtures.image)
        web.command = ["sh", "-c", "mkdir -p /www; while true; do wget -q -O /www/index.html http://database:8080/ok; sleep 1; done & exec httpd -f -p 80 -h /www"]
        web.networks = ["back": ServiceNetwork()]
        web.ports = [PortSpec(target: 80, published: port, hostIP: "127.0.0.1")]
        web.dependsOn = ["db": Dependency(condition: .serviceHealthy)]
        web.environment = ["GREETING": "hello"]
        return StackSpec(name: project, services: ["web": web, "db": db], networks: ["back": NetworkSpec()], volumes: ["data": VolumeSpec()])
    }

    @Test("a two-service stack runs: healthy db first, web reaches it by alias, the port answers, docker-compose sees the project")
    func twoServices() async throws {
        let project = DockerFixtures.project("two"), reconciler = DockerFixtures.reconciler()
        defer { DockerFixtures.cleanUp(project) }
        let port = try DockerFixtures.freePort()
        let steps = Steps()
        let result = try await reconciler.apply(StackApply(spec: Self.webAndDB(project, port: port))) { await steps.add($0) }

        #expect(result.services.map(\.name) == ["db", "web"])
        #expect(result.services.allSatisfy { $0.change == .created })
        // web is created only once db is healthy (how long that took depends on the machine's load).
        let phases = await steps.all.map { "\($0.phase) \($0.service ?? "")" }
        #expect(try #require(phases.firstIndex(of: "start db")) < (try #require(phases.firstIndex(of: "create web"))))
        let db = try #require(try await reconciler.runtime.inspect(container: result.services[0].containerID!))
        #expect(db.health == "healthy")
        let answered = await DockerFixtures.eventually {
            (try? Tools.run(["curl", "-sf", "--max-time", "2", "http://127.0.0.1:\(port)/index.html"])) == "ok\n"
        }
        #expect(answered, "web did not serve what it fetched from database:8080: \((try? Tools.runStatus(["curl", "-sv", "--max-time", "2", "http://127.0.0.1:\(port)/index.html"]))) \((try? Tools.run(["docker", "ps", "-a"])) ?? "")")

        let directory = reconciler.projectsDirectory + "/" + project
        let listed = try Tools.run(["docker-compose", "-p", project, "-f", directory + "/docker-compose.json", "ps"], in: directory)
        #expect(listed.contains("\(project)-web-1") && listed.contains("\(project)-db-1"), "docker-compose ps: \(listed)")
        let stacks = try await reconciler.list().filter { $0.project == project }
        #expect(stacks.first?.containers.map(\.service).sorted() == ["db", "web"])
        #expect(stacks.first?.containers.first { $0.service == "db" }?.health == "healthy")
    }

    @Test("applying again changes nothing; a changed service alone is recreated; a dropped service is removed")
    func reconcile() async throws {
        let project = DockerFixtures.project("rec"), reconciler = DockerFixtures.reconciler()
        defer { DockerFixtures.cleanUp(project) }
        var spec = Self.webAndDB(project, port: try DockerFixtures.freePort())
        let first = try await reconciler.apply(StackApply(spec: spec))

        let again = try await reconciler.apply(StackApply(spec: spec))
        #expect(again.services.allSatisfy { $0.change == .unchanged }, "\(again.services) \((try? Tools.run(["docker", "ps", "-a", "--filter", "label=com.docker.compose.project=\(project)"])) ?? "")")
        #expect(again.services.map(\.containerID) == first.services.map(\.containerID))

        spec.services["web"]!.environment = ["GREETING": "changed"]
        let changed = try await reconciler.apply(StackApply(spec: spec))
        let byName = Dictionary(uniqueKeysWithValues: changed.services.map { ($0.name, $0) })
        #expect(byName["db"]?.change == .unchanged)
        #expect(byName["db"]?.containerID == first.services.first { $0.name == "db" }?.containerID)
        #expect(byName["web"]?.change == .recreated)
        #expect(byName["web"]?.containerID != first.services.first { $0.name == "web" }?.containerID)

        spec.services["web"] = nil
        let dropped = try await reconciler.apply(StackApply(spec: spec))
        #expect(dropped.services.contains { $0.name == "web" && $0.change == .removed })
        let inventory = try await DockerFixtures.inventory(project, reconciler.runtime)
        #expect(inventory.containers.map { $0.labels[StackLabels.service] } == ["db"])
        #expect(inventory.networks == ["\(project)_back"])
        #expect(inventory.volumes == ["\(project)_data"])
    }

    @Test("a spec with problems is refused before anything is created, naming each field")
    func invalidSpecCreatesNothing() async throws {
        let project = DockerFixtures.project("bad"), reconciler = DockerFixtures.reconciler()
        var spec = Self.webAndDB(project, port: 70000)
        spec.services["web"]!.dependsOn = ["cache": Dependency()]
        do {
            _ = try await reconciler.apply(StackApply(spec: spec))
            Issue.record("an invalid spec was applied")
        } catch let error as StackSpecError {
            #expect(error.problems.map(\.field) == ["services.web.ports[0].published", "services.web.depends_on.cache"])
        }
        let inventory = try await DockerFixtures.inventory(project, reconciler.runtime)
        #expect(inventory.containers.isEmpty && inventory.networks.isEmpty && inventory.volumes.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: reconciler.projectsDirectory + "/" + project))
    }

    @Test("a dependency that never becomes healthy ends the apply with an error naming it, within the timeout")
    func unhealthyDependency() async throws {
        let project = DockerFixtures.project("sick"), reconciler = DockerFixtures.reconciler()
        defer { DockerFixtures.cleanUp(project) }
        var db = ServiceSpec(image: DockerFixtures.image)
        db.command = ["sleep", "3600"]
        db.healthcheck = Healthcheck(test: ["CMD", "false"], interval: ComposeDuration(milliseconds: 200), retries: 1)
        var app = ServiceSpec(image: DockerFixtures.image)
        app.command = ["sleep", "3600"]
        app.dependsOn = ["db": Dependency(condition: .serviceHealthy)]
        do {
            _ = try await reconciler.apply(StackApply(spec: StackSpec(name: project, services: ["db": db, "app": app]), healthTimeout: 30))
            Issue.record("the apply succeeded with an unhealthy dependency")
        } catch let error as StackApplyError {
            #expect(error.message.contains("db"))
        }
        let inventory = try await DockerFixtures.inventory(project, reconciler.runtime)
        #expect(inventory.containers.map { $0.labels[StackLabels.service] } == ["db"], "app must not have been created")
    }

    @Test("a container name taken by a late create of this project is replaced; taken by someone else's, the apply fails and leaves it")
    func nameTakenAfterTheListing() async throws {
        let ours = DockerFixtures.project("late"), theirs = DockerFixtures.project("taken"), reconciler = DockerFixtures.reconciler()
        defer {
            DockerFixtures.cleanUp(ours)
            DockerFixtures.cleanUp(theirs)
            _ = DockerCLI.lines(["rm", "-f", "\(theirs)-app-1"])
        }
        var app = ServiceSpec(image: DockerFixtures.image)
        app.command = ["sleep", "3600"]
        // What an interrupted apply leaves when the engine finishes its create late: our project's label, not yet listed as managed.
        _ = DockerCLI.lines(["create", "--name", "\(ours)-app-1", "--label", "\(StackLabels.project)=\(ours)", DockerFixtures.image, "sleep", "1"])
        let result = try await reconciler.apply(StackApply(spec: StackSpec(name: ours, services: ["app": app])))
        #expect(result.services.map(\.change) == [.created])
        #expect(DockerCLI.state(of: "\(ours)-app-1") == "running")
        // A stranger's container with the name: not removed.
        _ = DockerCLI.lines(["create", "--name", "\(theirs)-app-1", DockerFixtures.image, "sleep", "1"])
        await #expect(throws: (any Error).self) { try await reconciler.apply(StackApply(spec: StackSpec(name: theirs, services: ["app": app]))) }
        #expect(DockerCLI.state(of: "\(theirs)-app-1") == "created")
    }

    @Test("the agent killed in the middle of an apply converges on the next apply: no duplicate, no orphan")
    func killMidApply() async throws {
        let project = DockerFixtures.project("kill"), reconciler = DockerFixtures.reconciler()
        defer { DockerFixtures.cleanUp(project) }
        var services: [String: ServiceSpec] = [:]
        for (name, dependency) in [("a", nil), ("b", "a"), ("c", "b")] as [(String, String?)] {
            var service = ServiceSpec(image: DockerFixtures.image)
            service.command = ["sleep", "3600"]
            service.volumes = [MountSpec(type: "volume", source: "shared", target: "/shared")]
            if let dependency { service.dependsOn = [dependency: Dependency()] }
            services[name] = service
        }
        let spec = StackSpec(name: project, services: services, volumes: ["shared": VolumeSpec()])
        let stateDirectory = reconciler.projectsDirectory + "-state"
        try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
        let file = stateDirectory + "/spec.json"
        try JSONEncoder().encode(spec).write(to: URL(fileURLWithPath: file))

        // Killed at each step in turn, the next apply must still converge.
        for killAt in ["create\tb", "start\tb", "create\tc"] {
            let agent = try AgentStackProcess.start(["stack", "apply", file, "--state-dir", stateDirectory])
            let reached = agent.waitForLine(prefix: killAt)
            agent.kill()
            #expect(reached, "the agent never printed \(killAt): \(agent.text)")
        }
        let finished = try AgentStackProcess.start(["stack", "apply", file, "--state-dir", stateDirectory])
        #expect(finished.waitForExit() == 0, "\(finished.text)")

        let inventory = try await DockerFixtures.inventory(project, reconciler.runtime)
        #expect(inventory.containers.compactMap { $0.labels[StackLabels.service] }.sorted() == ["a", "b", "c"])
        #expect(inventory.containers.allSatisfy { $0.state == "running" })
        #expect(inventory.networks == ["\(project)_default"])
        #expect(inventory.volumes == ["\(project)_shared"])
        let again = try await reconciler.apply(StackApply(spec: StackSpec(name: project, services: services, volumes: ["shared": VolumeSpec()])))
        #expect(again.services.allSatisfy { $0.change == .unchanged })
    }
}

/// Progress events, in order.
actor Steps {
    private(set) var all: [StackProgress] = []
    func add(_ step: StackProgress) { all.append(step) }
}
