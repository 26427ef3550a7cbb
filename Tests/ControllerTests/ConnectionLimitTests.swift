@testable import Agent
import Controller
import Foundation
import NIOCore
import NIOPosix
import Protocol
import Testing

@Suite("Agent port limits", .serialized)
struct ConnectionLimitTests {
    @Test("a peer that connects and never starts TLS is cut off after the handshake timeout")
    func silentPeerCutOff() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let controller = try await TestController.start(stateDirectory: dir, handshakeTimeout: .milliseconds(500))
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: controller.agentPort).get()
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask { try await channel.closeFuture.get(); return true }
            group.addTask { try await Task.sleep(for: .seconds(10)); return false }
            let first = try await group.next()
            #expect(first == true, "the controller closed the silent connection")
            group.cancelAll()
        }
        #expect(ContinuousClock.now - started >= .milliseconds(400))
        await controller.stop()
    }

    @Test("an enrolling connection that lingers is closed after the enrollment timeout")
    func lingeringEnrollmentClosed() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // The handshake deadline is far away, so only the enrollment deadline can close the connection soon.
        let controller = try await TestController.start(stateDirectory: dir, handshakeTimeout: .seconds(600), enrollmentTimeout: .seconds(1))
        let dialer = ControllerDialer(host: "127.0.0.1", port: controller.agentPort, maximumFrameLength: 1 << 20)
        let channel = try await dialer.connect(.fetchCA)
        let started = ContinuousClock.now
        let closedCleanly = try await channel.executeThenClose { inbound, outbound in
            var iterator = inbound.makeAsyncIterator()
            let connection = try await MessageConnection.handshake(
                ours: Hello(role: .agent, software: "test"), inbound: &iterator, outbound: outbound, dialer: true)
            #expect(connection.peerHello.caCertificate != nil)
            // Say nothing more: the controller must hang up by itself.
            return try await iterator.next() == nil
        }
        #expect(closedCleanly)
        let elapsed = ContinuousClock.now - started
        #expect(elapsed >= .milliseconds(800), "not before the enrollment timeout")
        #expect(elapsed < .seconds(120), "by the enrollment deadline, not the handshake deadline")
        await controller.stop()
    }
}
