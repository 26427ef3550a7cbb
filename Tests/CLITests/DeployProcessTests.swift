import Foundation
import Protocol
import Testing
import TestSupport

/// `homelab deploy` and `homelab apps` as a user runs them: the real `homelab-controller`, `homelab-agent`
/// and `homelab` executables, the real dockerd; the controller killed (SIGKILL) mid-deploy and started again.
@Suite("homelab deploy with real processes (real dockerd)", .serialized,
       .enabled(if: ProcessInfo.processInfo.environment["HOMELAB_REQUIRE_DOCKER"] == "1" || FileManager.default.fileExists(atPath: "/var/run/docker.sock")))
struct DeployProcessTests {
    static let fixtureScript = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("deploy/dev/test-fixtures.sh").path

    /// A controller process over a state directory; started again on the same state after a kill.
    final class ControllerProcess: @unchecked Sendable {
        let dir: URL
        // Below the kernel's ephemeral range (32768-60999), from which other tests take their "free" ports, and
        // apart from the 20000-29999 the deployment tests publish apps on.
        let apiPort = Int.random(in: 11_000...14_999), agentPort = Int.random(in: 15_000...18_999)
        var child: ChildProcess
        var starts = 0

        init(dir: URL) async throws {
            self.dir = dir
            child = try Self.spawn(dir: dir, apiPort: apiPort, agentPort: agentPort, start: 0)
            try await waitUntilServing()
        }

        static func spawn(dir: URL, apiPort: Int, agentPort: Int, start: Int) throws -> ChildProcess {
            try ChildProcess(ChildProcess.binaries.appendingPathComponent("homelab-controller").path,
                             ["run", "--state-dir", dir.appendingPathComponent("state").path, "--listen", "127.0.0.1",
                              "--api-port", "\(apiPort)", "--agent-port", "\(agentPort)", "--no-discovery",
                              "--catalog", dir.appendingPathComponent("catalog").path, "--health-timeout", "30", "--device-wait", "60",
                              "--admin-token-file", dir.appendingPathComponent("admin-token").path],
                             output: .file(dir.appendingPathComponent("controller-\(start).log").path), mergeErrors: true)
        }

        func log(_ start: Int) -> String {
            (try? String(contentsOf: dir.appendingPathComponent("controller-\(start).log"), encoding: .utf8)) ?? ""
        }

        func waitUntilServing() async throws {
            try await eventually(timeout: .seconds(60)) { log(starts).contains("Server started and listening") }
        }

        /// SIGKILL, then the same command line again.
        func killAndRestart() async throws {
            child.kill()
            _ = child.wait()
            starts += 1
            child = try Self.spawn(dir: dir, apiPort: apiPort, agentPort: agentPort, start: starts)
            try await waitUntilServing()
        }

        /// The admin token, from the file the first start wrote it to (never from the log).
        var token: String {
            get throws {
                guard let text = try? String(contentsOf: dir.appendingPathComponent("admin-token"), encoding: .utf8), text.hasPrefix("HLA1.") else {
                    throw Failure("no admin token file; the log:\n\(log(0))")
                }
                #expect(!log(0).contains(text.trimmingCharacters(in: .whitespacesAndNewlines)), "the admin token is never in the log")
                return text.trimmingCharacters(in: .whitespacesAndNewlines)
            }
        }
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    static func eventually(timeout: Duration, _ check: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await check() { return }
            try await Task.sleep(for: .milliseconds(300))
        }
        throw Failure("condition not met within \(timeout)")
    }

    @Test("deploy prints its steps (golden, not on a terminal), fails with its code's status when rolled back, and survives a controller killed mid-deploy")
    func deployAsAUserDoes() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("homelab-deploy-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let catalog = try TestRecipes.catalog(in: dir)
        let fixtures = try await ChildProcess.run("/bin/bash", [Self.fixtureScript])
        try #require(fixtures.status == 0, "\(fixtures.errors)")
        let controller = try await ControllerProcess(dir: dir)
        let suffix = String(UInt32.random(in: .min ... .max), radix: 16)
        let golden = "golden-\(suffix)", resumed = "resumed-\(suffix)", bad = "bad-\(suffix)"
        let join = try await ChildProcess.run(ChildProcess.binaries.appendingPathComponent("homelab-controller").path,
                                              ["join-token", "--state-dir", dir.appendingPathComponent("state").path])
        let agent = try ChildProcess(ChildProcess.binaries.appendingPathComponent("homelab-agent").path,
                                     ["--controller", "127.0.0.1:\(controller.agentPort)", "--state-dir", dir.appendingPathComponent("agent").path,
                                      "--name", "box", "--join-token", join.output.split(separator: "\n").last.map(String.init) ?? "",
                                      "--discovery", "false", "--max-backoff", "1s"],
                                     output: .file(dir.appendingPathComponent("agent.log").path), mergeErrors: true)
        defer {
            agent.kill()
            _ = agent.wait()
            controller.child.kill()
            _ = controller.child.wait()
            [golden, resumed, bad].forEach(DockerCLI.removeProject)
            try? FileManager.default.removeItem(at: dir)
        }
        let environment = ["HOMELAB_URL": "https://127.0.0.1:\(controller.apiPort)", "HOMELAB_TOKEN": try controller.token,
                           "HOMELAB_CA": dir.appendingPathComponent("state/pki/ca.pem").path, "HOME": dir.path, "XDG_CONFIG_HOME": dir.path, "NO_COLOR": "1"]
        func homelab(_ arguments: [String]) async throws -> ChildProcess.Result {
            try await ChildProcess.run(ChildProcess.binaries.appendingPathComponent("homelab").path, arguments, environment: environment)
        }
        try await Self.eventually(timeout: .seconds(30)) { try await homelab(["devices", "list"]).output.contains("online") }

        // The golden text: what a script (or CI log) sees.
        let port = Int.random(in: 20_000...29_999)
        let deployed = try await homelab(["deploy", catalog.appendingPathComponent("hello-web.yaml").path, "--device", "box", "--name", golden,
                                          "--set", "WEB_PORT=\(port)"])
        #expect(deployed.status == 0, "\(deployed.errors)")
        let normalized = deployed.output.replacingOccurrences(of: golden, with: "NAME").replacingOccurrences(of: "\(port)", with: "PORT")
            .replacingOccurrences(of: #"\d+\.\d+\.\d+\.\d+:8080"#, with: "ADDRESS:8080", options: .regularExpression)
            .replacingOccurrences(of: #"token is [A-Za-z0-9]+"#, with: "token is TOKEN", options: .regularExpression)
        #expect(normalized == """
            pending          Deploying NAME (hello-web 1.0)
            pending          app → box (chosen by you)
            pulling          app: pulling images on box
            creating         app: Creating network NAME_default
            creating         app: Creating volume NAME_data
            creating         app: Creating NAME-web-1
            starting         app: Starting NAME-web-1
            health-checking  Waiting for health (at most 30 s)
            health-checking  app: web is healthy (HTTP 200 from ADDRESS:8080/)
            running          Running at http://127.0.0.1:PORT/

            NAME is running on box: open http://127.0.0.1:PORT/

            Your token is TOKEN.

            """)
        let page = try await ChildProcess.run("/usr/bin/curl", ["-s", "--max-time", "5", "http://127.0.0.1:\(port)/"])
        #expect(page.output == "hello\n")

        // A deploy that fails: rolled back, the status of its code (unhealthy: 10), the reason and the code on standard error.
        let failed = try await homelab(["deploy", "hello-web", "--name", bad, "--set", "WEB_PORT=\(port + 1)", "--set", "GREETING=crash"])
        #expect(failed.status == 10)
        #expect(failed.errors.contains("deploying \(bad) failed: app: web exited"), "\(failed.errors)")
        #expect(failed.errors.contains("[unhealthy]"), "\(failed.errors)")
        #expect(failed.output.contains("rolled-back      Rolled back: nothing of it is left on the devices"), "\(failed.output)")

        // The controller killed while the deploy waits for health; started again, it finishes the deploy.
        let slowPort = port + 2
        let accepted = try await homelab(["deploy", "hello-web", "--name", resumed, "--set", "WEB_PORT=\(slowPort)", "--set", "DELAY=6",
                                          "--set", "GREETING=resumed", "--detach", "-o", "json"])
        #expect(accepted.status == 0, "\(accepted.errors)")
        func state(_ name: String) async throws -> DeploymentState? {
            let shown = try await homelab(["apps", "show", name, "-o", "json"])
            return (try? WireCoding.decoder.decode(DeploymentDetail.self, from: Data(shown.output.utf8)))?.deployment.state
        }
        try await Self.eventually(timeout: .seconds(30)) { try await state(resumed) == .healthChecking }
        try await controller.killAndRestart()
        try await Self.eventually(timeout: .seconds(90)) { try await state(resumed) == .running }
        #expect(controller.log(1).contains("resuming job"))
        #expect(DockerCLI.containers(project: resumed).count == 1)
        let resumedPage = try await ChildProcess.run("/usr/bin/curl", ["-s", "--max-time", "5", "http://127.0.0.1:\(slowPort)/"])
        #expect(resumedPage.output == "resumed\n")

        let listed = try await homelab(["apps", "list"])
        #expect(listed.output.contains(golden) && listed.output.contains(resumed) && listed.output.contains("rolled-back"), "\(listed.output)")
        let refused = try await homelab(["apps", "rm", golden, "--yes"])
        #expect(refused.status == 64, "rm without --keep-data or --delete-data is a usage error")
        for name in [golden, resumed, bad] {
            let removed = try await homelab(["apps", "rm", name, "--delete-data", "--yes"])
            #expect(removed.status == 0, "\(removed.errors)")
        }
        #expect(try await homelab(["apps", "list"]).output.contains("No apps deployed"))
    }
}
