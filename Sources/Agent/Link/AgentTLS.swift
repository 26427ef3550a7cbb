import NIOCore
import NIOPosix
import NIOSSL
import Protocol

/// Dials the controller's agent port over TLS 1.3 and frames the connection.
struct ControllerDialer: Sendable {
    /// How the agent authenticates the controller and itself.
    enum Trust {
        /// Accept any server certificate: only to read the CA from `hello`, never to send a secret.
        case fetchCA
        /// Verify the server against the pinned CA, presenting no certificate (enrollment).
        case pinned(caPEM: String)
        /// Mutual TLS with the device certificate.
        case mutual(caPEM: String, certificatePEM: String, key: NIOSSLPrivateKey)
    }

    /// DNS name the controller's server certificate carries; a device certificate never does.
    static let controllerServerName = "homelab-controller"

    let host: String
    let port: Int
    let maximumFrameLength: Int

    func connect(_ trust: Trust) async throws -> NIOAsyncChannel<Frame, Frame> {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv13
        switch trust {
        case .fetchCA:
            tls.certificateVerification = .none
        case .pinned(let caPEM):
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(caPEM.utf8)))
            tls.certificateVerification = .fullVerification
        case .mutual(let caPEM, let certificatePEM, let key):
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(caPEM.utf8)))
            tls.certificateVerification = .fullVerification
            tls.certificateChain = try NIOSSLCertificate.fromPEMBytes(Array(certificatePEM.utf8)).map { .certificate($0) }
            tls.privateKey = .privateKey(key)
        }
        let context = try NIOSSLContext(configuration: tls)
        let maximumFrameLength = self.maximumFrameLength
        return try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(10))
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    try sync.addHandler(NIOSSLClientHandler(context: context, serverHostname: Self.controllerServerName))
                    try sync.addHandler(ByteToMessageHandler(FrameDecoder(maximumFrameLength: maximumFrameLength)))
                    try sync.addHandler(MessageToByteHandler(FrameEncoder()))
                    return try NIOAsyncChannel<Frame, Frame>(wrappingChannelSynchronously: channel)
                }
            }
    }
}

/// Turns transport failures into sentences a person can act on.
enum LinkErrorDescription {
    static func describe(_ error: any Error, endpoint: String) -> String {
        switch error {
        case let error as HomelabError:
            return error.message
        case let error as NIOSSLError:
            return "TLS with the controller at \(endpoint) failed: \(error). If the controller was reinstalled, its CA changed: remove this agent's ca.pem and cert.pem to enroll again"
        case let error as AgentError:
            return error.message
        case is NIOConnectionError, is ChannelError:
            return "cannot reach the controller at \(endpoint): \(error)"
        default:
            return "connection to the controller at \(endpoint) failed: \(error)"
        }
    }
}
