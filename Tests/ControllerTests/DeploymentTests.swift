import Agent
import Controller
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import HummingbirdWSClient
import Logging
import NIOCore
import Protocol
import Synchronization
import Testing
import TestSupport

/// Deployments end to end: the deployment service → mutual-TLS link → agent → real dockerd, and back.
@Suite("Deployments (real dockerd)", .enabled(if: DockerForControllerTests.enabled))
struct DeploymentTests {
    /// A controller whose catalog holds the test recipes, and one agent, `box`, on this machine's dockerd.
    struct Harness {
        let dir: URL
        let controller: TestController
        let agent: TestAgent
        var deployments: DeploymentService { controller.app.context.deployments }

        static func start(_ name: String = #function, proxy: ProxySettings = ProxySettings(), healthTimeout: Int = 30,
                          deviceWait: Duration = .seconds(20), pullTicks: Int? = nil) async throws -> Harness {
            let dir = try temporaryDirectory(name)
            let fixtures = try await ChildProcess.run("/bin/bash", [StackRoutesTests.fixtureScript])
            try #require(fixtures.status == 0, "\(StackRoutesTests.fixtureScript): \(fixtures.errors)")
            var settings = DeploymentSettings()
            settings.proxy = proxy
            settings.healthTimeout = healthTimeout
            settings.deviceWait = deviceWait
            let controller = try await TestController.start(stateDirectory: dir.appendingPathComponent("controller"),
                                                            catalog: [try TestRecipes.catalog(in: dir)], deployments: settings)
            let engine = DockerEngine(socketPath: StackRoutesTests.socket)
            var reconciler = StackReconciler(runtime: pullTicks.map { FloodingRuntime(base: engine, ticks: $0) } ?? engine,
                                             projectsDirectory: dir.appendingPathComponent("stacks").path, agentVersion: "test")
            reconciler.stopTimeout = 1
            // A flood of progress keeps a loaded machine busy: pings get more room, so the link is not taken for dead.
            let agent = try TestAgent.start(controllerPort: controller.agentPort, stateDirectory: dir.appendingPathComponent("agent"),
                                            token: try await controller.token().token, name: "box", heartbeat: .seconds(pullTicks == nil ? 2 : 10),
                                            stacks: StackRequests(reconciler: reconciler))
            try await agent.wait { $0.isConnected }
            try await controller.waitForDevice("box") { $0.status == .online && $0.metrics != nil }
            return Harness(dir: dir, controller: controller, agent: agent)
        }

        /// The same agent (identity, name) started again.
        func restartAgent() async throws -> Harness {
            var reconciler = StackReconciler(runtime: DockerEngine(socketPath: StackRoutesTests.socket),
                                             projectsDirectory: dir.appendingPathComponent("stacks").path, agentVersion: "test")
            reconciler.stopTimeout = 1
            let agent = try TestAgent.start(controllerPort: controller.agentPort, stateDirectory: dir.appendingPathComponent("agent"),
                                            name: "box", stacks: StackRequests(reconciler: reconciler))
            try await agent.wait { $0.isConnected }
            try await controller.waitForDevice("box") { $0.status == .online }
            return Harness(dir: dir, controller: controller, agent: agent)
        }

        /// Deploys and waits for the work to end.
        func deploy(_ request: DeployRequest) async throws -> DeploymentResource {
            let accepted = try await deployments.deploy(request)
            await deployments.idle()
            return try await deployments.get(accepted.deployment.name)
        }

        func stop() async {
            await agent.stop()
            await controller.stop()
            try? FileManager.default.removeItem(at: dir)
        }
    }

    static func unique(_ prefix: String) -> String { "\(prefix)-\(String(UInt32.random(in: .min ... .max), radix: 16))" }
    static func port() -> Int { Int.random(in: 20_000...29_999) }

    @Test("deploy to the device the scheduler picks, open its URL, upgrade in place, stop, start, restart, see drift, remove with its data")
    func lifecycle() async throws {
        let harness = try await Harness.start()
        let name = Self.unique("hello")
        let port = Self.port()
        defer { DockerCLI.removeProject(name) }

        let events = harness.controller.app.context.events.subscribe()
        let progress = Task {
            var steps: [DeploymentStep] = []
            for await event in events where event.type == .deploymentProgress {
                guard let step = event.deployment?.step else { continue }
                steps.append(step)
                if step.final == true { break }
            }
            return steps
        }
        let deployed = try await harness.deploy(DeployRequest(recipe: "hello-web", name: name, inputs: ["WEB_PORT": "\(port)"]))
        let published = await progress.value
        #expect(published.last?.state == .running && published.last?.final == true)
        #expect(published.compactMap(\.seq) == published.compactMap(\.seq).sorted(), "stored steps are published in order")
        #expect(deployed.state == .running, "\(deployed.error?.message ?? "")")
        #expect(deployed.components.map(\.device) == ["box"])
        #expect(deployed.components[0].reason.contains("RAM free"), "the scheduler's reason: \(deployed.components[0].reason)")
        #expect(deployed.url == "http://127.0.0.1:\(port)/")
        #expect(try await DockerCLI.fetch(deployed.url!) == "hello")
        let exposition = await harness.controller.app.context.metrics.render(registry: harness.controller.registry, deployments: harness.deployments)
        #expect(exposition.contains(#"homelab_deployments{state="running"} 1"#))
        var detail = try await harness.deployments.detail(name)
        let states = detail.steps.map(\.state)
        for expected: DeploymentState in [.pending, .pulling, .creating, .starting, .healthChecking, .running] {
            #expect(states.contains(expected), "steps: \(detail.steps.map(\.message))")
        }
        #expect(detail.steps.contains { $0.message.contains("web is healthy (HTTP 200 from") })
        #expect(detail.drift.isEmpty)
        let token = try #require(detail.notes?.components(separatedBy: "token is ").last?.trimmingCharacters(in: .whitespacesAndNewlines.union(.punctuationCharacters)))
        #expect(token.count == 16)
        // Secrets are sealed: neither the token nor the stack's environment is in the database files.
        for file in ["controller.sqlite", "controller.sqlite-wal"] {
            let data = FileManager.default.contents(atPath: harness.dir.appendingPathComponent("controller/\(file)").path) ?? Data()
            #expect(data.range(of: Data(token.utf8)) == nil, "\(file) holds the secret in clear")
        }
        let keyMode = try FileManager.default.attributesOfItem(atPath: harness.dir.appendingPathComponent("controller/pki/deployments.key").path)[.posixPermissions] as? Int
        #expect(keyMode == 0o600)

        // Upgrade in place: a changed input recreates the container, the volume stays.
        let before = DockerCLI.containers(project: name)
        let upgraded = try await harness.deploy(DeployRequest(recipe: "hello-web", name: name, inputs: ["GREETING": "bonjour"]))
        #expect(upgraded.state == .running && upgraded.error == nil)
        #expect(upgraded.inputs["WEB_PORT"] == "\(port)", "a redeploy keeps the inputs it is not given")
        #expect(try await DockerCLI.fetch(upgraded.url!) == "bonjour")
        #expect(DockerCLI.containers(project: name) != before)
        #expect(try await harness.deployments.detail(name).notes == detail.notes, "a redeploy keeps its generated secrets")

        // A failed upgrade goes back to the version that ran.
        let failed = try await harness.deploy(DeployRequest(recipe: "hello-web", name: name, inputs: ["GREETING": "crash"]))
        #expect(failed.state == .running)
        #expect(failed.error?.message.contains("web exited") == true, "\(failed.error?.message ?? "no error")")
        #expect(failed.inputs["GREETING"] == "bonjour")
        #expect(try await DockerCLI.fetch(failed.url!) == "bonjour")

        #expect(try await harness.deployments.list(device: "box").map(\.name) == [name])
        #expect(try await harness.deployments.list(device: "elsewhere").isEmpty)
        #expect(try await harness.deployments.list(state: "running", category: "other", recipe: "hello-web").map(\.name) == [name])
        #expect(try await harness.deployments.list(state: "stopped").isEmpty)
        #expect(try await harness.deployments.detail(name).live.first?.volumes == ["\(name)_data"])

        // Stop, start, restart.
        #expect(try await harness.deployments.perform(name, .stop).state == .stopped)
        #expect(DockerCLI.state(of: "\(name)-web-1") == "exited")
        #expect(try await harness.deployments.detail(name).drift.isEmpty)
        #expect(try await harness.deployments.perform(name, .start).state == .running)
        #expect(DockerCLI.state(of: "\(name)-web-1") == "running")
        #expect(try await harness.deployments.perform(name, .restart, component: "app").state == .running)
        await #expect(throws: HomelabError.self) { try await harness.deployments.perform(name, .restart, component: "nope") }

        // Logs through the API.
        let admin = try #require(harness.controller.app.newAdminToken)
        let (router, _) = APIRoutes(controller: harness.controller.app.context).makeRouter()
        try await Application(router: router).test(.router) { client in
            try await Task.sleep(for: .milliseconds(500))
            try await client.execute(uri: "/v1/deployments/\(name)/logs?tail=20", method: .get, headers: [.authorization: "Bearer \(admin)"]) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("serving hello") || String(buffer: response.body).contains("serving bonjour"))
            }
            // Following ends when the container stops.
            let followed = Task {
                try await client.execute(uri: "/v1/deployments/\(name)/logs?follow=true&tail=5", method: .get,
                                         headers: [.authorization: "Bearer \(admin)"]) { String(buffer: $0.body) }
            }
            try await Task.sleep(for: .seconds(1))
            _ = try await harness.deployments.perform(name, .stop)
            #expect(try await followed.value.contains("serving "))
            _ = try await harness.deployments.perform(name, .start)
            try await client.execute(uri: "/v1/deployments/\(name)?data=maybe", method: .delete, headers: [.authorization: "Bearer \(admin)"]) { response in
                #expect(response.status == .badRequest)
            }
        }

        // Logs over a WebSocket, and the deploy's steps as deployment.progress events on /v1/events.
        let lines = Mutex<[String]>([])
        try await WebSocketClient.connect(
            url: "wss://localhost:\(harness.controller.apiPort)/v1/deployments/\(name)/logs/ws?tail=20",
            configuration: .init(additionalHeaders: [.authorization: "Bearer \(admin)"]),
            tlsConfiguration: try EventStreamTests.tls(harness.controller), logger: Logger(label: "ws-logs")
        ) { inbound, _, _ in
            for try await message in inbound.messages(maxSize: 1 << 20) {
                if case .text(let text) = message { lines.withLock { $0.append(text) } }
            }
        }
        let logged = lines.withLock { $0 }.compactMap { try? WireCoding.decoder.decode(LogLine.self, from: Data($0.utf8)) }
        #expect(logged.contains { $0.text.hasPrefix("serving ") }, "\(lines.withLock { $0 })")

        // What the scheduler sees now counts the deployment: its reservation and its published port.
        let snapshot = try await harness.deployments.snapshot()
        let box = try #require(snapshot.devices.first { $0.name == "box" })
        #expect(box.apps.contains { $0.recipe == "hello-web" && $0.memoryBytes == 16 << 20 })
        #expect(box.publishedPorts.contains("\(port)/tcp"))

        // Drift: a container removed by hand, and a stack no deployment knows.
        DockerCLI.remove(container: "\(name)-web-1")
        detail = try await harness.deployments.detail(name)
        #expect(detail.drift.contains { $0.contains("stack is gone") || $0.contains("has no container") }, "\(detail.drift)")
        let stray = Self.unique("stray")
        var sleeper = ServiceSpec(image: StackRoutesTests.image)
        sleeper.command = ["sleep", "600"]
        _ = try await harness.controller.app.context.stacks.apply("box", project: stray,
                                                                 StackApply(spec: StackSpec(name: stray, services: ["s": sleeper])))
        let report = try await harness.deployments.driftReport()
        #expect(report.deployments.contains { $0.deployment == name })
        #expect(report.unknownStacks.contains { $0.project == stray && $0.device == "box" })
        DockerCLI.removeProject(stray)

        // Remove with its data.
        try await harness.deployments.remove(name, deleteData: true)
        #expect(DockerCLI.containers(project: name).isEmpty)
        #expect(DockerCLI.volumes(project: name).isEmpty)
        await #expect(throws: HomelabError.self) { try await harness.deployments.get(name) }
        await harness.stop()
    }

    @Test("a deploy that fails (exits, or never becomes healthy) is rolled back and leaves nothing on the device")
    func failedDeployRollsBack() async throws {
        let harness = try await Harness.start(healthTimeout: 4)
        let crashing = Self.unique("crash"), silent = Self.unique("silent")
        defer { [crashing, silent].forEach(DockerCLI.removeProject) }

        let crashed = try await harness.deploy(DeployRequest(recipe: "hello-web", name: crashing, inputs: ["WEB_PORT": "\(Self.port())", "GREETING": "crash"]))
        #expect(crashed.state == .rolledBack)
        #expect(crashed.error?.message.contains("web exited") == true, "\(crashed.error?.message ?? "")")
        #expect(crashed.error?.code == .unhealthy, "the stored failure keeps its code")
        // Never answers within the health timeout: the agent's HTTP probe is refused.
        let waited = try await harness.deploy(DeployRequest(recipe: "hello-web", name: silent, inputs: ["WEB_PORT": "\(Self.port())", "DELAY": "600"]))
        #expect(waited.state == .rolledBack)
        #expect(waited.error?.message.contains("not healthy after 4 s") == true, "\(waited.error?.message ?? "")")
        #expect(waited.error?.code == .healthTimeout)
        for project in [crashing, silent] {
            #expect(DockerCLI.containers(project: project).isEmpty)
            #expect(DockerCLI.volumes(project: project).isEmpty)
            #expect(DockerCLI.networks(project: project).isEmpty)
        }
        let steps = try await harness.deployments.detail(crashing).steps.map(\.message)
        #expect(steps.last == "Rolled back: nothing of it is left on the devices")
        // A rolled-back deployment can be deployed again under its name.
        let again = try await harness.deploy(DeployRequest(recipe: "hello-web", name: crashing, inputs: ["GREETING": "fixed"]))
        #expect(again.state == .running)
        try await harness.deployments.remove(crashing, deleteData: true)
        try await harness.deployments.remove(silent, deleteData: true)
        await harness.stop()
    }

    @Test("an agent that disconnects mid-deploy is waited for, within a bound; then the deploy fails and says what is left where")
    func agentLostMidDeploy() async throws {
        var harness = try await Harness.start(healthTimeout: 60, deviceWait: .seconds(4))
        let name = Self.unique("lost")
        defer { DockerCLI.removeProject(name) }
        // The device wait is short here: the agent stays away longer.
        _ = try await harness.deployments.deploy(DeployRequest(recipe: "hello-web", name: name, inputs: ["WEB_PORT": "\(Self.port())", "DELAY": "600"]))
        let deadline = ContinuousClock.now + .seconds(30)
        while try await harness.deployments.get(name).state != .healthChecking, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(200))
        }
        await harness.agent.stop()
        await harness.deployments.idle()
        let failed = try await harness.deployments.get(name)
        #expect(failed.state == .failed)
        #expect(failed.error?.message.contains("box is offline and did not come back within 4 s") == true, "\(failed.error?.message ?? "")")
        #expect(failed.error?.message.contains("Could not roll back: app on box") == true, "\(failed.error?.message ?? "")")
        #expect(failed.error?.code == .rollbackIncomplete && failed.error?.context?["cause"] == "device_offline", "\(String(describing: failed.error))")
        // Back online, what was left is removed on request.
        harness = try await harness.restartAgent()
        try await harness.deployments.remove(name, deleteData: true)
        #expect(DockerCLI.containers(project: name).isEmpty)
        await harness.stop()
    }

    @Test("10,000 pull-progress ticks during a deploy: it still reaches running, every state change is stored, ticks reach watchers throttled")
    func progressFlood() async throws {
        let harness = try await Harness.start(pullTicks: 10_000)
        let name = Self.unique("flood")
        defer { DockerCLI.removeProject(name) }
        let events = harness.controller.app.context.events.subscribe()
        let watched = Task {
            var ticks = 0
            for await event in events where event.type == .deploymentProgress && event.deployment?.deployment == name {
                if event.deployment?.step.seq == nil { ticks += 1 }
                if event.deployment?.step.final == true { break }
            }
            return ticks
        }
        let deployed = try await harness.deploy(DeployRequest(recipe: "hello-web", name: name, inputs: ["WEB_PORT": "\(Self.port())"]))
        #expect(deployed.state == .running, "\(deployed.error?.message ?? "")")
        let steps = try await harness.deployments.detail(name).steps
        let states = steps.map(\.state)
        for state in [DeploymentState.pending, .pulling, .creating, .starting, .healthChecking, .running] {
            #expect(states.contains(state), "no stored step in \(state): \(steps.map { "\($0.state) \($0.message)" })")
        }
        #expect(states == states.sorted { DeploymentState.allCases.firstIndex(of: $0)! < DeploymentState.allCases.firstIndex(of: $1)! },
                "the stored states follow the machine's order")
        #expect(steps.count < 40, "ticks are not stored: \(steps.count) steps")
        #expect(steps.last?.final == true && steps.last?.message.hasPrefix("Running") == true)
        let ticks = await watched.value
        #expect(ticks >= 1 && ticks < 2_000, "pull ticks reach watchers at most every 250 ms per stack (saw \(ticks))")
        try await harness.deployments.remove(name, deleteData: true)
        await harness.stop()
    }

    @Test("bad requests are refused before anything is stored or sent: inputs, device, name, expose without a proxy")
    func refusals() async throws {
        let harness = try await Harness.start()
        func refusal(_ request: DeployRequest) async -> HomelabError? {
            do {
                _ = try await harness.deployments.deploy(request)
                return nil
            } catch {
                return error as? HomelabError
            }
        }
        let badPort = await refusal(DeployRequest(recipe: "hello-web", inputs: ["WEB_PORT": "99999", "NOPE": "1"]))
        #expect(badPort?.httpStatus == 422)
        #expect(badPort?.message.contains("WEB_PORT:") == true && badPort?.message.contains("NOPE:") == true, "\(badPort?.message ?? "")")
        #expect(await refusal(DeployRequest(recipe: "hello-web", placement: .devices(["*": "attic-pi"])))?.httpStatus == 404)
        #expect(await refusal(DeployRequest(recipe: "hello-web", placement: .devices(["db": "box"])))?.httpStatus == 400)
        #expect(await refusal(DeployRequest(recipe: "hello-web", name: "Bad Name"))?.httpStatus == 400)
        let expose = await refusal(DeployRequest(recipe: "hello-web", expose: true))
        #expect(expose?.code == .notConfigured && expose?.context?["field"] == "expose" && expose?.message.contains("reverse proxy") == true)
        #expect(await refusal(DeployRequest(recipe: "no-such-recipe"))?.httpStatus == 404)
        let broken = await refusal(DeployRequest(recipeYAML: "id: x\nname: 3\n", recipeFile: "mine.yaml"))
        #expect(broken?.httpStatus == 422)
        #expect(broken?.message.contains("mine.yaml:") == true, "\(broken?.message ?? "")")
        #expect(try await harness.deployments.list().isEmpty)
        // Two deploys of one new name at once: one is accepted, the other refused.
        let name = Self.unique("twice")
        defer { DockerCLI.removeProject(name) }
        async let first = refusal(DeployRequest(recipe: "hello-web", name: name, inputs: ["WEB_PORT": "\(Self.port())"]))
        async let second = refusal(DeployRequest(recipe: "hello-web", name: name, inputs: ["WEB_PORT": "\(Self.port())"]))
        let outcomes = await [first, second]
        #expect(outcomes.compactMap { $0 }.map(\.httpStatus) == [409], "\(outcomes.map { $0?.message ?? "accepted" })")
        await harness.deployments.idle()
        try await harness.deployments.remove(name, deleteData: true)
        await harness.stop()
    }

    @Test("exposed through a real Caddy: the controller adds the route over the admin API and removes it with the deployment")
    func caddyRoute() async throws {
        let admin = Self.port(), listen = Self.port()
        let dir = try temporaryDirectory()
        let config = dir.appendingPathComponent("caddy.json")
        try #"{"admin": {"listen": "127.0.0.1:\#(admin)"}}"#.write(to: config, atomically: true, encoding: .utf8)
        let caddy = try ChildProcess("/usr/bin/caddy", ["run", "--config", config.path], environment: ["HOME": dir.path, "XDG_DATA_HOME": dir.path, "XDG_CONFIG_HOME": dir.path],
                                     output: .file(dir.appendingPathComponent("caddy.log").path), mergeErrors: true)
        defer {
            caddy.terminate()
            caddy.wait()
            try? FileManager.default.removeItem(at: dir)
        }
        var proxy = ProxySettings()
        proxy.kind = .caddy
        proxy.caddyAdmin = "http://127.0.0.1:\(admin)"
        proxy.caddyListen = "127.0.0.1:\(listen)"
        proxy.port = listen
        let harness = try await Harness.start(proxy: proxy)
        let name = Self.unique("proxied")
        defer { DockerCLI.removeProject(name) }

        let deployed = try await harness.deploy(DeployRequest(recipe: "hello-web", name: name, inputs: ["WEB_PORT": "\(Self.port())", "GREETING": "through-caddy"], expose: true))
        #expect(deployed.state == .running, "\(deployed.error?.message ?? "")")
        #expect(deployed.url == "http://\(name).home.arpa:\(listen)/")
        let through = try await ChildProcess.run("/usr/bin/curl", ["-s", "--max-time", "5", "-H", "Host: \(name).home.arpa", "http://127.0.0.1:\(listen)/"])
        #expect(through.output.trimmingCharacters(in: .whitespacesAndNewlines) == "through-caddy")
        try await harness.deployments.remove(name, deleteData: true)
        let routes = try await ChildProcess.run("/usr/bin/curl", ["-s", "http://127.0.0.1:\(admin)/config/apps/http/servers/homelab/routes"])
        #expect(!routes.output.contains(name), "\(routes.output)")
        await harness.stop()
    }

    @Test("exposed for Traefik: router labels, traefik.docker.network, and a shared proxy network apart from the app's own")
    func traefikLabels() async throws {
        var proxy = ProxySettings()
        proxy.kind = .traefik
        proxy.traefikNetwork = Self.unique("hlt-proxy")
        let harness = try await Harness.start(proxy: proxy)
        let name = Self.unique("traefik")
        defer {
            DockerCLI.removeProject(name)
            _ = DockerCLI.lines(["network", "rm", proxy.traefikNetwork])
        }
        let deployed = try await harness.deploy(DeployRequest(recipe: "hello-web", name: name, inputs: ["WEB_PORT": "\(Self.port())"], expose: true))
        #expect(deployed.state == .running, "\(deployed.error?.message ?? "")")
        let inspect = try await ChildProcess.run("/usr/bin/docker", ["inspect", "\(name)-web-1", "--format",
                                                                     "{{json .Config.Labels}} {{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}"])
        #expect(inspect.output.contains(#""traefik.docker.network":"\#(proxy.traefikNetwork)""#), "\(inspect.output)")
        #expect(inspect.output.contains(#""traefik.http.routers.\#(name).rule":"Host(`\#(name).home.arpa`)""#), "\(inspect.output)")
        #expect(inspect.output.contains(#""traefik.http.services.\#(name).loadbalancer.server.port":"8080""#), "\(inspect.output)")
        #expect(inspect.output.contains("\(name)_default") && inspect.output.contains(proxy.traefikNetwork), "\(inspect.output)")
        try await harness.deployments.remove(name, deleteData: true)
        #expect(!DockerCLI.networkNames().contains("\(name)_default"))
        #expect(DockerCLI.networkNames().contains(proxy.traefikNetwork), "the shared proxy network outlives the deployment")
        await harness.stop()
    }
}
