import Controller
import Foundation
import Logging
import Protocol
import ServiceLifecycle
import Testing
import TestSupport

/// A real controller (`ControllerApp`) running in this process on 127.0.0.1, with both ports chosen by the system,
/// over a state directory of its own: its API, its CA, its admin token.
struct RealController {
    /// The directory the controller's state (`controller/`) and its agents' state (`agent-NAME/`) live in.
    let directory: URL
    let app: ControllerApp
    let group: ServiceGroup
    let task: Task<Void, any Error>
    let apiPort: Int
    let agentPort: Int

    /// Starts a controller with its state in `dir/controller`.
    static func start(_ dir: URL) async throws -> RealController {
        var config = ControllerConfig(stateDirectory: dir.appendingPathComponent("controller"))
        config.discovery.network.enabled = false  // never multicast outside the lab
        config.apiHost = "127.0.0.1"
        config.agentHost = "127.0.0.1"
        config.apiPort = 0
        config.agentPort = 0
        var logger = Logger(label: "real-controller")
        logger.logLevel = .critical
        let app = try await ControllerApp.open(config: config, logger: logger)
        let group = ServiceGroup(configuration: .init(services: try app.services().map(ControllerApp.named), logger: logger))
        let task = Task { try await group.run() }
        return RealController(directory: dir, app: app, group: group, task: task, apiPort: try await app.apiPort.wait(), agentPort: try await app.agentPort.wait())
    }

    /// Starts a controller in a fresh temporary directory, runs `body` with it, then stops it and removes the directory,
    /// also when `body` throws.
    static func with<Result>(_ body: (RealController) async throws -> Result) async throws -> Result {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let controller = try await start(dir)
        do {
            let result = try await body(controller)
            await controller.stop()
            return result
        } catch {
            await controller.stop()
            throw error
        }
    }

    /// Shuts the services down and closes every agent session.
    func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
        await app.context.registry.closeAll()
    }

    /// The API's URL.
    var url: String { "https://127.0.0.1:\(apiPort)" }
    /// The CA certificate file the controller wrote at first start.
    var caPath: String { app.config.stateDirectory.appendingPathComponent("pki/ca.pem").path }
    /// Lower-case hex SHA-256 of the CA's DER.
    var fingerprint: String { app.context.authority.fingerprint }
    /// The fingerprint as `openssl x509 -fingerprint -sha256` prints it: upper case, colon-separated pairs.
    var opensslFingerprint: String {
        var pairs: [String] = []
        var rest = Substring(fingerprint.uppercased())
        while !rest.isEmpty { pairs.append(String(rest.prefix(2))); rest = rest.dropFirst(2) }
        return pairs.joined(separator: ":")
    }

    /// The admin API token this controller made at its first start.
    var adminToken: String {
        get throws { try #require(app.newAdminToken) }
    }

    /// A fresh directory under the system temporary directory.
    static func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("homelab-real-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    // MARK: Devices

    /// Starts a real `homelab-agent` process for this controller: with `joinToken` it enrolls at once,
    /// without one it waits as a pending device, asking again every `pendingPollInterval`.
    func startAgent(name: String, joinToken: String? = nil, pendingPollInterval: String = "300ms") throws -> RealAgent {
        let arguments = ["--controller", "127.0.0.1:\(agentPort)"] + (joinToken.map { ["--join-token", $0] } ?? [])
            + ["--name", name, "--state-dir", directory.appendingPathComponent("agent-\(name)").path,
               "--sample-interval", "500ms", "--pending-poll-interval", pendingPollInterval, "--max-backoff", "1s",
               "--discovery", "false", "--peer-port", "0"]  // never multicast outside the lab, nor hold a fixed port
        let process = try ChildProcess(ChildProcess.binaries.appendingPathComponent("homelab-agent").path, arguments)
        return RealAgent(name: name, process: process)
    }

    /// A device as the API serves it: through the wire coder, so dates have whole seconds as the CLI receives them.
    func device(_ name: String) async throws -> DeviceResource {
        try Self.asServed(try await app.context.registry.get(name))
    }

    /// `value` as the CLI receives it from the API: encoded and decoded with the wire coder (ISO 8601 dates, whole seconds).
    static func asServed<Value: Codable>(_ value: Value) throws -> Value {
        try WireCoding.decoder.decode(Value.self, from: WireCoding.encoder.encode(value))
    }

    /// Waits (at most `timeout`) until the device `name` exists and satisfies `condition`; returns it as the API serves it.
    @discardableResult
    func waitForDevice(
        _ name: String, timeout: Duration = .seconds(20), sourceLocation: SourceLocation = #_sourceLocation,
        _ condition: (DeviceResource) -> Bool
    ) async throws -> DeviceResource {
        let deadline = ContinuousClock.now + timeout
        var last: DeviceResource?
        while ContinuousClock.now < deadline {
            if let device = try? await device(name) {
                last = device
                if condition(device) { return device }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw DeviceNotReady(name: name, last: last, sourceLocation: sourceLocation)
    }

    struct DeviceNotReady: Error, CustomStringConvertible {
        let name: String
        let last: DeviceResource?
        let sourceLocation: SourceLocation
        var description: String {
            let seen = last.map { "\($0.status), metrics \($0.metrics == nil ? "none" : "present")" } ?? "absent"
            return "device \(name) did not reach the state awaited at \(sourceLocation) in time (last seen: \(seen))"
        }
    }
}

/// A running `homelab-agent` process.
final class RealAgent {
    let name: String
    let process: ChildProcess

    init(name: String, process: ChildProcess) {
        self.name = name
        self.process = process
    }

    /// Terminates the process and waits for it to exit.
    func stop() {
        process.terminate()
        process.wait()
    }
}
