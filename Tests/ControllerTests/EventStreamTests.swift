import Controller
import Foundation
import HTTPTypes
import HummingbirdWSClient
import Logging
import NIOSSL
import Protocol
import Synchronization
import Testing

@Suite("Live events over a real WebSocket (wss)", .serialized)
struct EventStreamTests {
    static func tls(_ controller: TestController) throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates([try controller.app.context.authority.nioCertificate()])
        return tls
    }

    @Test("a client with the token sees a device enroll and come online, in order")
    func seesEnrollment() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let controller = try await TestController.start(stateDirectory: dir.appendingPathComponent("controller"))
        let admin = try #require(controller.app.newAdminToken)
        let token = try await controller.token()
        // The controller's own services subscribe too (the backup targets' sync).
        let own = controller.app.context.events.subscriberCount
        let seen = Mutex<[RegistryEvent.Kind]>([])
        let agentBox = Mutex<TestAgent?>(nil)
        let logger = Logger(label: "ws-test")
        try await WebSocketClient.connect(
            url: "wss://localhost:\(controller.apiPort)/v1/events",
            configuration: .init(additionalHeaders: [.authorization: "Bearer \(admin)"]),
            tlsConfiguration: try Self.tls(controller), logger: logger
        ) { inbound, outbound, _ in
            // Subscribed: now make something happen.
            try await Task.sleep(for: .milliseconds(200))
            agentBox.withLock { $0 = try? TestAgent.start(controllerPort: controller.agentPort, stateDirectory: dir.appendingPathComponent("agent"), token: token.token, name: "watched") }
            for try await message in inbound.messages(maxSize: 1 << 20) {
                guard case .text(let text) = message else { continue }
                let event = try WireCoding.decoder.decode(RegistryEvent.self, from: Data(text.utf8))
                #expect(event.device?.name == "watched")
                let kinds = seen.withLock { $0.append(event.type); return $0 }
                if kinds.contains(.deviceUpdated) { break }
            }
            try await outbound.close(.normalClosure, reason: nil)
        }
        let kinds = seen.withLock { $0 }
        #expect(Array(kinds.prefix(2)) == [.deviceEnrolled, .deviceOnline])
        #expect(kinds.contains(.deviceUpdated))
        await agentBox.withLock { $0 }?.stop()
        #expect(controller.app.context.events.subscriberCount == own, "the subscription ends with the socket")
        await controller.stop()
    }

    @Test("the event stream refuses to upgrade without a token")
    func refusesWithoutToken() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let controller = try await TestController.start(stateDirectory: dir.appendingPathComponent("controller"))
        let own = controller.app.context.events.subscriberCount
        let error = await #expect(throws: (any Error).self) {
            try await WebSocketClient.connect(url: "wss://localhost:\(controller.apiPort)/v1/events",
                                              tlsConfiguration: try Self.tls(controller), logger: Logger(label: "ws-test")) { _, _, _ in
                Issue.record("upgraded without a token")
            }
        }
        // Refused by the server's answer, not by TLS or the connection.
        #expect("\(String(describing: error))".contains("upgrade failed"), "\(String(describing: error))")
        #expect(controller.app.context.events.subscriberCount == own)
        await controller.stop()
    }
}
