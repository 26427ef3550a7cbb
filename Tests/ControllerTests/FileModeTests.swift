@testable import Agent
@testable import Controller
import Foundation
import Logging
import Protocol
import ServiceLifecycle
import Testing

/// Files and logs (issue 14, row 9).
@Suite("State files are private and logs hold no secrets", .serialized)
struct FileModeTests {
    static func mode(_ path: String) throws -> Int {
        try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as! Int
    }

    @Test("a state directory that already exists as 0755 with 0644 files is made 0700/0600 at start, SQLite's WAL files included")
    func stateDirectoryNarrowed() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let state = dir.appendingPathComponent("controller")
        try FileManager.default.createDirectory(at: state.appendingPathComponent("recipes"), withIntermediateDirectories: true)
        try Data("id: x\n".utf8).write(to: state.appendingPathComponent("recipes/x.yaml"))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: state.path)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: state.appendingPathComponent("recipes").path)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: state.appendingPathComponent("recipes/x.yaml").path)
        let controller = try await TestController.start(stateDirectory: state)
        _ = try await controller.token()
        for file in ["controller.sqlite", "controller.sqlite-wal", "controller.sqlite-shm", "recipes/x.yaml", "pki/ca-key.pem", "pki/deployments.key"] {
            #expect(try Self.mode(state.appendingPathComponent(file).path) == 0o600, "\(file)")
        }
        for folder in ["", "recipes", "pki"] {
            #expect(try Self.mode(state.appendingPathComponent(folder).path) == 0o700, "\(folder)/")
        }
        await controller.stop()
    }

    @Test("without a terminal the first admin token goes to a 0600 file in the state directory, and nowhere else")
    func adminTokenFile() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let destination = try AdminTokenNotice.deliver("HLA1.abc.secret", file: nil, stateDirectory: dir, useTerminal: false)
        let path = dir.appendingPathComponent("initial-admin-token").path
        #expect(destination == .file(path))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "HLA1.abc.secret\n")
        #expect(try Self.mode(path) == 0o600)
    }

    @Test("an agent logging at trace level never logs its join token's secret, enrolling or running")
    func agentLogsNoSecret() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let controller = try await TestController.start(stateDirectory: dir.appendingPathComponent("controller"))
        let token = try await controller.token()
        let secret = try JoinToken(parsing: token.token).secret
        var config = AgentConfig()
        config.controller = "127.0.0.1:\(controller.agentPort)"
        config.joinToken = token.token
        config.name = "quiet"
        config.stateDirectory = dir.appendingPathComponent("agent").path
        config.discovery.enabled = false
        config.dockerSocket = dir.appendingPathComponent("no-docker.sock").path
        let capture = LogCapture()
        let app = try AgentApp(config: config, logger: capture.logger("agent"))
        let running = Task { try await app.run(logger: capture.logger("agent")) }
        try await controller.waitForDevice("quiet") { $0.status == .online }
        running.cancel()
        _ = try? await running.value
        await controller.stop()
        #expect(capture.text.contains("ControllerLink"), "the service group logged at trace level")
        #expect(!capture.text.contains(secret))
    }
}
