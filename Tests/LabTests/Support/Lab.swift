import CLI
import Foundation
import Protocol
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Drives `deploy/lab/lab` for a test: namespaces, a bridge, per-device dockerd and agents, and the
/// controller in its own namespace. Everything runs for real; the lab needs root.
struct Lab: Sendable {
    /// Whether this process can build a lab (root); without root the lab suites do not run.
    static let isRoot = getuid() == 0

    /// The package root, from this file's path.
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let script = packageRoot.appendingPathComponent("deploy/lab/lab").path
    /// The binaries the test build made (beside the test bundle).
    static let binaries = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().path

    /// The lab's state directory (not the default one, so a developer's own lab is not reused).
    let dir = "/run/homelab-lab-test"

    /// Runs `lab ARGS…` and returns its output; a failure throws with the output.
    @discardableResult
    func run(_ arguments: [String], environment extra: [String: String] = [:]) throws -> String {
        var environment = ProcessInfo.processInfo.environment
        environment["HOMELAB_BIN"] = Self.binaries
        for (key, value) in extra { environment[key] = value }
        let started = ContinuousClock.now
        let (status, output) = try Self.spawnAndWait(["/bin/bash", Self.script, "--dir", dir] + arguments, environment: environment)
        Self.trace("lab \(arguments.joined(separator: " ")): exit \(status) after \(ContinuousClock.now - started)")
        guard status == 0 else {
            throw LabError(description: "lab \(arguments.joined(separator: " ")) exited \(status):\n\(output)")
        }
        return output
    }

    /// Runs the lab script to its end. Output goes to a file, which daemons the lab starts cannot hold
    /// open the way they could a pipe; `ChildProcess` keeps every other descriptor of this process from them.
    static func spawnAndWait(_ argv: [String], environment: [String: String]) throws -> (Int32, String) {
        let log = "/tmp/lab-\(UUID().uuidString).log"
        defer { unlink(log) }
        let status = try ChildProcess(argv[0], Array(argv.dropFirst()), environment: environment, output: .file(log), mergeErrors: true).wait()
        return (status, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
    }

    /// Progress on standard error (unbuffered), so a slow step shows in the test log as it happens.
    static func trace(_ line: String) {
        FileHandle.standardError.write(Data("[lab] \(line)\n".utf8))
    }

    /// `lab up` with agents that ping every second, so link loss shows within a short TTL.
    func up(_ arguments: [String], agentExtra: String = "", environment: [String: String] = [:]) throws {
        try run(["up"] + arguments, environment: environment.merging(["LAB_AGENT_EXTRA": "heartbeat_interval: 1s\nsample_interval: 2s\n" + agentExtra]) { $1 })
    }

    /// `lab down`.
    func down() throws { try run(["down"]) }

    /// The variables `lab env` exports (`HOMELAB_URL`, `HOMELAB_TOKEN`, `HOMELAB_CA`).
    func environment() throws -> [String: String] {
        var values: [String: String] = [:]
        for line in try run(["env"]).split(separator: "\n") where line.hasPrefix("export ") {
            let pair = line.dropFirst("export ".count).split(separator: "=", maxSplits: 1).map(String.init)
            if pair.count == 2 { values[pair[0]] = pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "'\"")) }
        }
        return values
    }

    /// The API settings `lab env` prints.
    func settings() throws -> ClientSettings {
        let values = try environment()
        guard let url = values["HOMELAB_URL"], let token = values["HOMELAB_TOKEN"], let ca = values["HOMELAB_CA"] else {
            throw LabError(description: "lab env printed no HOMELAB_URL/TOKEN/CA: \(values)")
        }
        return ClientSettings(url: try ControllerURL(parsing: url), token: token, trust: TrustAnchor(option: ca))
    }

    /// The controller's device list.
    func devices(_ settings: ClientSettings) async throws -> [DeviceResource] {
        try await APIClient.withClient(settings) { client in
            try await client.get(APIPaths.devices, as: ListResponse<DeviceResource>.self).items
        }
    }

    /// The controller's discovered list.
    func discovered(_ settings: ClientSettings) async throws -> DiscoveredList {
        try await APIClient.withClient(settings) { client in
            try await client.get(APIPaths.discovered, as: DiscoveredList.self)
        }
    }

    /// Polls the device list until `predicate` holds, for at most `timeout`; fails with the lab's status.
    @discardableResult
    func waitForDevices(_ settings: ClientSettings, within timeout: Duration, _ what: String,
                        until predicate: ([DeviceResource]) -> Bool) async throws -> [DeviceResource] {
        let deadline = ContinuousClock.now + timeout
        var last: [DeviceResource] = []
        Self.trace("waiting up to \(timeout) for: \(what)")
        while ContinuousClock.now < deadline {
            if let devices = try? await devices(settings) {
                last = devices
                if predicate(devices) { return devices }
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        let status = (try? run(["status"])) ?? "(lab status failed)"
        throw LabError(description: "\(what): not within \(timeout); devices: \(last.map { "\($0.name)=\($0.status.rawValue)" })\n\(status)\n\(agentLogs())")
    }

    /// The last lines of every agent's log, for failure messages.
    func agentLogs() -> String {
        let devices = (try? FileManager.default.contentsOfDirectory(atPath: dir + "/devices")) ?? []
        return devices.sorted().map { name in
            let log = (try? String(contentsOfFile: "\(dir)/devices/\(name)/agent.log", encoding: .utf8)) ?? ""
            return "--- \(name)/agent.log\n" + log.split(separator: "\n").suffix(8).joined(separator: "\n")
        }.joined(separator: "\n")
    }

    /// The controller process's resident memory in bytes.
    func controllerRSS() throws -> UInt64 {
        let pid = try String(contentsOfFile: dir + "/controller.pid", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kilobytes = UInt64(line.split(separator: " ").dropFirst().first ?? "") else {
            throw LabError(description: "no VmRSS for the controller (pid \(pid))")
        }
        return kilobytes * 1024
    }
}

/// A lab step that failed, with what it printed.
struct LabError: Error, CustomStringConvertible {
    var description: String
}
