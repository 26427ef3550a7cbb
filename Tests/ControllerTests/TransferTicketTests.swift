import Agent
import Controller
import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import Protocol
import Testing
import X509
@testable import Agent

/// The destination's peer port refuses everything but the one connection a ticket was made for: real
/// agents, a real controller and real mutual TLS on loopback; no volume is touched.
@Suite("Transfer tickets on the peer port", .serialized, .enabled(if: DockerForControllerTests.enabled))
struct TransferTicketTests {
    /// A controller and three enrolled agents whose peer ports listen on loopback: the destination
    /// (whose log is captured), the source, and another device.
    struct Homelab {
        let directory: URL
        let controller: TestController
        let destination: TestAgent
        let source: TestAgent
        let other: TestAgent
        let log: LogCapture

        static func start() async throws -> Homelab {
            let directory = try temporaryDirectory()
            let controller = try await TestController.start(stateDirectory: directory.appendingPathComponent("controller"))
            let token = try await controller.token(reusable: true).token
            var peer = Transfers.Settings()
            peer.host = "127.0.0.1"
            peer.port = 0
            // Long enough for a loaded machine's TLS and hello (2 s cut a valid source off in CI), short enough to wait out.
            peer.handshakeTimeout = .seconds(10)
            peer.connections = 3
            let log = LogCapture()
            func agent(_ name: String, logger: Logger? = nil) throws -> TestAgent {
                try TestAgent.start(controllerPort: controller.agentPort, stateDirectory: directory.appendingPathComponent(name), token: token,
                                    name: name, peer: peer, peerLogger: logger)
            }
            let homelab = Homelab(directory: directory, controller: controller, destination: try agent("dst", logger: log.logger(level: .info)),
                                  source: try agent("src"), other: try agent("other"), log: log)
            for agent in [homelab.destination, homelab.source, homelab.other] { try await agent.wait { $0.isConnected } }
            return homelab
        }

        /// Runs `body` with a fresh homelab, stopped afterwards whatever happens.
        static func with(_ body: (Homelab) async throws -> Void) async throws {
            let homelab = try await start()
            do {
                try await body(homelab)
            } catch {
                await homelab.stop()
                throw error
            }
            await homelab.stop()
        }

        func stop() async {
            for agent in [destination, source, other] { await agent.stop() }
            await controller.stop()
            try? FileManager.default.removeItem(at: directory)
        }

        /// The destination's peer port, once bound.
        var port: Int {
            get async throws {
                for _ in 0..<100 {
                    if let port = destination.transfers?.boundPort { return port }
                    try await Task.sleep(for: .milliseconds(50))
                }
                throw TestFailure("the destination's peer port never bound")
            }
        }

        /// Has the destination expect `transfer` from `source` (a device id).
        @discardableResult
        func expect(_ transfer: String, ticket: String, from source: String, expiresIn: Int = 60) async throws -> TransferExpected {
            try await controller.registry.ask("dst", TransferExpect(transfer: transfer, ticket: ticket, source: source,
                                                                     volumes: [TransferVolume(name: "hlt-\(transfer)_data")],
                                                                     migration: "m-\(transfer)", incremental: false, expiresIn: expiresIn))
        }

        /// Connects to the destination's peer port as `agent` and presents `ticket`.
        func open(as agent: TestAgent, transfer: String, ticket: String) async throws -> TransferOpened {
            let tls = try #require(try PeerTLS(identity: agent.identity))
            let channel = try await PeerConnection.dial(host: "127.0.0.1", port: try await port, tls: tls, destination: destination.identity.deviceID)
            return try await Self.open(channel, transfer: transfer, ticket: ticket)
        }

        /// `hello`, then `transfer.open` on a dialed channel.
        static func open(_ channel: PeerConnection.Channel, transfer: String, ticket: String) async throws -> TransferOpened {
            let raw = channel.channel
            return try await channel.executeThenClose { inbound, outbound in
                var iterator = inbound.makeAsyncIterator()
                let connection = try await MessageConnection.handshake(ours: PeerConnection.hello, inbound: &iterator, outbound: outbound, dialer: true)
                return try await withThrowingTaskGroup(of: TransferOpened.self) { group in
                    group.addTask {
                        defer { raw.close(promise: nil) }
                        return try await connection.request(TransferOpen(transfer: transfer, ticket: ticket))
                    }
                    try? await connection.run(inbound: &iterator, handler: SourcePeerHandler())
                    return try await group.next()!
                }
            }
        }
    }

    static func ticket() -> String { (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined() }

    static func code(of error: any Error) -> HomelabError.Code? { (error as? HomelabError)?.code }

    @Test("the ticket's own source opens its transfer once; the same ticket again is refused as used, and logged")
    func oneConnectionPerTicket() async throws {
        try await Homelab.with { homelab in
            let ticket = Self.ticket()
            try await homelab.expect("t1", ticket: ticket, from: homelab.source.identity.deviceID)
            let opened = try await homelab.open(as: homelab.source, transfer: "t1", ticket: ticket)
            #expect(opened.volumes == [.init(name: "hlt-t1_data", hasBase: false)])
            await #expect { try await homelab.open(as: homelab.source, transfer: "t1", ticket: ticket) } throws: { Self.code(of: $0) == .ticketUsed }
            #expect(homelab.log.text.split(separator: "\n").contains { $0.hasPrefix("warning") && $0.contains("used already") })
        }
    }

    @Test("an expired ticket is refused as expired, and the destination's wait ends with that reason")
    func expired() async throws {
        try await Homelab.with { homelab in
            let ticket = Self.ticket()
            try await homelab.expect("t2", ticket: ticket, from: homelab.source.identity.deviceID, expiresIn: 1)
            await #expect { _ = try await homelab.controller.registry.ask("dst", TransferWait(transfer: "t2"), timeout: .seconds(10)) } throws: { error in
                (error as? HomelabError)?.message.contains("expired") == true
            }
            await #expect { try await homelab.open(as: homelab.source, transfer: "t2", ticket: ticket) } throws: { Self.code(of: $0) == .ticketExpired }
        }
    }

    @Test("a ticket presented by another device than the one it names is refused; a device no ticket names gets no hello")
    func wrongDevice() async throws {
        try await Homelab.with { homelab in
            let forSource = Self.ticket(), forOther = Self.ticket()
            try await homelab.expect("t3", ticket: forSource, from: homelab.source.identity.deviceID)
            // Before `other` has a ticket of its own, it is refused before `hello`.
            await #expect { try await homelab.open(as: homelab.other, transfer: "t3", ticket: forSource) } throws: { Self.code(of: $0) == .transferRefused }
            #expect(homelab.log.text.split(separator: "\n").contains { $0.contains("expects no transfer from \(homelab.other.identity.deviceID)") })
            try await homelab.expect("t4", ticket: forOther, from: homelab.other.identity.deviceID)
            await #expect { try await homelab.open(as: homelab.other, transfer: "t3", ticket: forSource) } throws: { Self.code(of: $0) == .ticketWrongDevice }
            await #expect { try await homelab.open(as: homelab.source, transfer: "t3", ticket: forOther) } throws: { Self.code(of: $0) == .ticketUnknown }
            // The right device with the right ticket still gets in: the refusals spent nothing.
            _ = try await homelab.open(as: homelab.source, transfer: "t3", ticket: forSource)
        }
    }

    @Test("a certificate from another CA fails in the TLS handshake: no frame, and the destination logs the refusal")
    func foreignCertificate() async throws {
        try await Homelab.with { homelab in
            try await homelab.expect("t5", ticket: Self.ticket(), from: homelab.source.identity.deviceID)
            // A CA of its own issues a certificate for the source's very key and id: it chains to nothing the destination trusts.
            let foreign = try CertificateAuthority.loadOrCreate(in: homelab.directory.appendingPathComponent("foreign-ca"))
            let key = homelab.source.identity.privateKey
            let certificate = try foreign.issueDeviceCertificate(deviceID: homelab.source.identity.deviceID, publicKey: key.publicKey)
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.minimumTLSVersion = .tlsv13
            tls.certificateChain = [.certificate(try NIOSSLCertificate(bytes: Array(certificate.serializeAsPEM().pemString.utf8), format: .pem))]
            tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: Array(key.pemRepresentation.utf8), format: .pem))
            tls.certificateVerification = .none
            let context = try NIOSSLContext(configuration: tls)
            let port = try await homelab.port
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: nil))
                    return try PeerConnection.wrap(channel)
                }
            }
            let frames = try await channel.executeThenClose { inbound, outbound in
                try? await outbound.write(.message(WireCoding.encode(Envelope(id: 0, type: MessageType.hello, body: PeerConnection.hello))))
                var count = 0
                do {
                    for try await _ in inbound { count += 1 }
                } catch {}
                return count
            }
            #expect(frames == 0, "nothing came back but the TLS alert")
            try await Task.sleep(for: .milliseconds(200))
            #expect(homelab.log.text.split(separator: "\n").contains { $0.contains("refused a peer connection") && $0.contains("TLS failed") })
        }
    }

    @Test("the source refuses a peer whose certificate names another device than the destination")
    func sourceChecksTheDestination() async throws {
        try await Homelab.with { homelab in
            let tls = try #require(try PeerTLS(identity: homelab.source.identity))
            await #expect {
                _ = try await PeerConnection.dial(host: "127.0.0.1", port: try await homelab.port, tls: tls, destination: homelab.other.identity.deviceID)
            } throws: { error in
                Self.code(of: error) == .unauthorized && "\(error)".contains("not the destination")
            }
        }
    }

    @Test("a ticket that is short, or names volumes that are paths, is refused; transfer.wait of an unknown transfer is not found")
    func badExpectations() async throws {
        try await Homelab.with { homelab in
            func expect(_ volume: String, ticket: String) async throws {
                _ = try await homelab.controller.registry.ask("dst", TransferExpect(
                    transfer: "bad", ticket: ticket, source: homelab.source.identity.deviceID, volumes: [TransferVolume(name: volume)],
                    migration: "m", incremental: false, expiresIn: 60))
            }
            for volume in ["../etc", "/var/lib/docker", "a", "x y"] {
                await #expect(throws: HomelabError.self, "volume \(volume)") { try await expect(volume, ticket: Self.ticket()) }
            }
            await #expect(throws: HomelabError.self) { try await expect("hlt-ok_data", ticket: "short") }
            await #expect { _ = try await homelab.controller.registry.ask("dst", TransferWait(transfer: "nothing")) } throws: { error in
                (error as? HomelabError)?.code == "not_found"
            }
        }
    }

    @Test("a connection that never finishes its handshake is closed after the timeout, and one over the cap at once")
    func limits() async throws {
        try await Homelab.with { homelab in
            let port = try await homelab.port
            func idle() async throws -> NIOAsyncChannel<ByteBuffer, ByteBuffer> {
                try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port) { channel in
                    channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
                }
            }
            // Four silent connections: the server counts each when it accepts it, and which of the four it
            // counts last is its choice (they are accepted on several event loops), so the test does not
            // assume it is the fourth. One is closed at once; three stay until the handshake timeout.
            var opened: [NIOAsyncChannel<ByteBuffer, ByteBuffer>] = []
            for _ in 0..<4 { opened.append(try await idle()) }
            let start = ContinuousClock.now
            let closedAfter = try await withThrowingTaskGroup(of: Duration.self) { group in
                for channel in opened {
                    group.addTask {
                        try await channel.executeThenClose { inbound, _ in for try await _ in inbound {} }
                        return ContinuousClock.now - start
                    }
                }
                return try await group.reduce(into: [Duration]()) { $0.append($1) }.sorted()
            }
            #expect(closedAfter[0] < .seconds(8), "one connection over the cap of 3 is closed at once (\(closedAfter))")
            #expect(closedAfter[1...].allSatisfy { $0 >= .seconds(8) }, "silent connections stay until the 10 s handshake timeout, then go (\(closedAfter))")
        }
    }
}
