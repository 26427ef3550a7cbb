@testable import Controller
import Foundation
import NIOSSL
import Protocol
import Testing

/// The API listener's limits, through a real TLS socket (issue 14, rows 3, 7 and 11).
@Suite("API listener limits", .serialized)
struct ListenerLimitTests {
    static func start(_ dir: URL, _ change: (inout ListenerLimits) -> Void = { _ in }) async throws -> TestController {
        var limits = ListenerLimits()
        limits.apiIdleTimeout = 1
        limits.apiBodyTimeout = 1
        change(&limits)
        return try await TestController.start(stateDirectory: dir, limits: limits)
    }

    static func ca(_ controller: TestController) throws -> NIOSSLCertificate { try controller.app.context.authority.nioCertificate() }

    @Test("row 3: a connection that sends nothing, or only finishes TLS, is closed after the idle timeout")
    func idleClosed() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let controller = try await Self.start(dir)
        let plain = try await RawHTTPS.connect(port: controller.apiPort, ca: try Self.ca(controller), tls: false)
        let tls = try await RawHTTPS.connect(port: controller.apiPort, ca: try Self.ca(controller))
        let (first, second) = try await (plain.read(for: .seconds(8)), tls.read(for: .seconds(8)))
        #expect(first.closed, "plain TCP without TLS")
        #expect(second.closed, "TLS without a request")
        await controller.stop()
    }

    @Test("row 3: a head trickled a byte at a time, and a body that never completes, are cut off")
    func slowClientsClosed() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let controller = try await Self.start(dir)
        let slow = try await RawHTTPS.connect(port: controller.apiPort, ca: try Self.ca(controller))
        try await slow.send(Array("GET /healthz HTTP/1.1\r\nHost: x\r\n".utf8))
        let started = ContinuousClock.now
        let trickle = Task {
            for _ in 0..<40 {
                try? await slow.send(Array("X".utf8))
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
        let answer = try await slow.read(for: .seconds(8))
        trickle.cancel()
        #expect(answer.closed)
        #expect(ContinuousClock.now - started < .seconds(6), "closed by the deadline, not by the trickle ending")

        let body = try await RawHTTPS.connect(port: controller.apiPort, ca: try Self.ca(controller))
        try await body.send(Array("POST /v1/tokens HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"reus".utf8))
        #expect(try await body.read(for: .seconds(8)).closed)
        await controller.stop()
    }

    @Test("row 3: connections over the per-address cap are closed at once; those under it are served")
    func perAddressCap() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let controller = try await Self.start(dir) { $0.apiConnectionsPerAddress = 3; $0.apiIdleTimeout = 30 }
        var held: [RawHTTPS] = []
        for _ in 0..<3 { held.append(try await RawHTTPS.connect(port: controller.apiPort, ca: try Self.ca(controller), tls: false)) }
        try await Task.sleep(for: .milliseconds(200))
        let extra = try await RawHTTPS.connect(port: controller.apiPort, ca: try Self.ca(controller), tls: false)
        #expect(try await extra.read(for: .seconds(5)).closed, "the fourth connection from one address")
        for connection in held { connection.channel.channel.close(promise: nil) }
        try await Task.sleep(for: .milliseconds(300))
        let answer = try await RawHTTPS.exchange(port: controller.apiPort, ca: try Self.ca(controller),
                                                 Array("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8))
        #expect(answer.status == 200, "a place is free again once the others closed")
        await controller.stop()
    }

    @Test("row 7: a head over the limit, or with too many fields, gets 431 with an error body and the connection closes")
    func headersTooLarge() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let controller = try await Self.start(dir) { $0.apiIdleTimeout = 30 }
        let huge = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "a", count: 1 << 20))\r\n\r\n"
        let many = "GET /healthz HTTP/1.1\r\nHost: x\r\n" + (0..<10_000).map { "X-\($0): y\r\n" }.joined() + "\r\n"
        for request in [huge, many] {
            let answer = try await RawHTTPS.exchange(port: controller.apiPort, ca: try Self.ca(controller), Array(request.utf8))
            #expect(answer.status == 431)
            #expect(answer.body.contains("\"headers_too_large\""))
            #expect(answer.closed)
        }
        await controller.stop()
    }

    @Test("row 7: a 50 MB body is refused with 413 and an error body without being read")
    func bodyTooLarge() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let controller = try await Self.start(dir) { $0.apiIdleTimeout = 30 }
        let admin = try #require(controller.app.newAdminToken)
        let answer = try await RawHTTPS.exchange(port: controller.apiPort, ca: try Self.ca(controller), Array(
            "POST /v1/tokens HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(admin)\r\nContent-Type: application/json\r\nContent-Length: 52428800\r\nConnection: close\r\n\r\n{".utf8),
            deadline: .seconds(5))
        #expect(answer.status == 413)
        #expect(answer.body.contains("\"payload_too_large\""))
        await controller.stop()
    }

    @Test("row 11: a WebSocket upgrade without a token, or with a wrong one, gets 401 with the API's error body")
    func webSocketNeedsToken() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let controller = try await Self.start(dir) { $0.apiIdleTimeout = 30 }
        let upgrade = "GET /v1/events HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        for extra in ["", "Authorization: Bearer HLA1.0.0\r\n"] {
            let answer = try await RawHTTPS.exchange(port: controller.apiPort, ca: try Self.ca(controller), Array((upgrade + extra + "\r\n").utf8))
            #expect(answer.status == 401, "\(extra)")
            #expect(answer.headers["www-authenticate"] == "Bearer realm=\"homelab\"")
            #expect(answer.body.contains("\"unauthorized\""))
        }
        let admin = try #require(controller.app.newAdminToken)
        let accepted = try await RawHTTPS.exchange(port: controller.apiPort, ca: try Self.ca(controller),
                                                   Array((upgrade + "Authorization: Bearer \(admin)\r\n\r\n").utf8), deadline: .seconds(2))
        #expect(accepted.status == 101, "with the token it upgrades")
        await controller.stop()
    }
}
