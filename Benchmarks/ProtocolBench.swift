import Controller
import Crypto
import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Protocol

/// Round trips and bulk stream throughput over one connection, with TLS 1.3 and over plain TCP.
enum ProtocolBench {
    struct Result {
        let roundTripsPerSecond: Double
        let bulkMegabytesPerSecond: Double
    }

    /// A server that answers pings and drains every stream it is offered.
    struct Sink: MessageHandler {
        func handleRequest(_ message: InboundMessage, on connection: MessageConnection) async throws -> any Codable & Sendable {
            switch message.header.type {
            case MessageType.ping:
                return Empty()
            case MessageType.streamOpen:
                let open = try message.body(as: StreamOpen.self)
                let stream = try await connection.acceptStream(open, window: 4 << 20)
                Task {
                    for try await _ in stream {}
                }
                return StreamOpened(credit: stream.window)
            default:
                throw HomelabError(.unknownType, message.header.type)
            }
        }
        func handleEvent(_ message: InboundMessage, on connection: MessageConnection) async {}
        func requestFailed(_ message: InboundMessage, error: any Error) async {}
    }

    static func run(tls: Bool, roundTrips: Int, bulkBytes: Int) async throws -> Result {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("homelab-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (serverTLS, clientTLS) = try tls ? makeContexts(dir) : (nil, nil)

        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let serverTLS { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: serverTLS)) }
                    return try framed(channel)
                }
            }
        let port = server.channel.localAddress!.port!
        return try await withThrowingTaskGroup(of: Result?.self) { group in
            group.addTask {
                try await server.executeThenClose { inbound in
                    for try await child in inbound {
                        try await child.executeThenClose { inbound, outbound in
                            var iterator = inbound.makeAsyncIterator()
                            let connection = try await MessageConnection.handshake(
                                ours: Hello(role: .controller, software: "bench"), inbound: &iterator, outbound: outbound, dialer: false)
                            try? await connection.run(inbound: &iterator, handler: Sink())
                        }
                        return nil
                    }
                    return nil
                }
            }
            let client = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: "127.0.0.1", port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let clientTLS {
                            try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: clientTLS, serverHostname: CertificateAuthority.controllerServerName))
                        }
                        return try framed(channel)
                    }
                }
            let result = try await client.executeThenClose { inbound, outbound in
                var iterator = inbound.makeAsyncIterator()
                let connection = try await MessageConnection.handshake(
                    ours: Hello(role: .agent, software: "bench"), inbound: &iterator, outbound: outbound, dialer: true)
                return try await withThrowingTaskGroup(of: Result?.self) { inner in
                    inner.addTask {
                        let clock = ContinuousClock()
                        let rtt = try await clock.measure {
                            for _ in 0..<roundTrips { let _: Empty = try await connection.request(MessageType.ping, Empty()) }
                        }
                        let stream = try await connection.openStream(purpose: "bench")
                        let chunk = ByteBuffer(repeating: 0x5a, count: 64 * 1024)
                        let bulk = try await clock.measure {
                            for _ in 0..<(bulkBytes / chunk.readableBytes) { try await stream.write(chunk) }
                            // A round trip after the data proves the receiver has read up to here.
                            let _: Empty = try await connection.request(MessageType.ping, Empty())
                        }
                        try await stream.finish()
                        client.channel.close(promise: nil)
                        return Result(roundTripsPerSecond: Double(roundTrips) / rtt.seconds,
                                      bulkMegabytesPerSecond: Double(bulkBytes) / 1_048_576 / bulk.seconds)
                    }
                    try? await connection.run(inbound: &iterator, handler: Sink())
                    return try await inner.next()!!
                }
            }
            server.channel.close(promise: nil)
            group.cancelAll()
            return result
        }
    }

    static func framed(_ channel: any Channel) throws -> NIOAsyncChannel<Frame, Frame> {
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(FrameDecoder()))
        try channel.pipeline.syncOperations.addHandler(MessageToByteHandler(FrameEncoder()))
        return try NIOAsyncChannel<Frame, Frame>(wrappingChannelSynchronously: channel)
    }

    /// A CA, a controller server certificate and a device client certificate: real mutual TLS 1.3.
    static func makeContexts(_ dir: URL) throws -> (NIOSSLContext, NIOSSLContext) {
        let ca = try CertificateAuthority.loadOrCreate(in: dir)
        let (serverCert, serverKey) = try ca.issueServerCertificate(hostnames: [], addresses: [])
        let deviceKey = P256.Signing.PrivateKey()
        let deviceCert = try ca.issueDeviceCertificate(deviceID: "bench-device", publicKey: deviceKey.publicKey)
        let caCert = try ca.nioCertificate()
        var server = TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(try NIOSSLCertificate(bytes: Array(serverCert.serializeAsPEM().pemString.utf8), format: .pem)), .certificate(caCert)],
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(serverKey.pemRepresentation.utf8), format: .pem)))
        server.minimumTLSVersion = .tlsv13
        server.certificateVerification = .optionalVerification
        server.trustRoots = .certificates([caCert])
        var client = TLSConfiguration.makeClientConfiguration()
        client.minimumTLSVersion = .tlsv13
        client.trustRoots = .certificates([caCert])
        client.certificateChain = [.certificate(try NIOSSLCertificate(bytes: Array(deviceCert.serializeAsPEM().pemString.utf8), format: .pem))]
        client.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: Array(deviceKey.pemRepresentation.utf8), format: .pem))
        return (try NIOSSLContext(configuration: server), try NIOSSLContext(configuration: client))
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
