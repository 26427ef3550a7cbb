import NIOCore
import NIOSSL
import NIOTLS
import Protocol
import Synchronization

/// The TLS of agent-to-agent connections: TLS 1.3, each side presenting its device certificate and
/// trusting only the homelab's CA. Which device a certificate names is checked by the caller
/// (a ticket names the source; the source knows its destination).
struct PeerTLS: Sendable {
    /// A context for accepting connections (a client certificate is required).
    let server: NIOSSLContext
    /// A context for dialing.
    let client: NIOSSLContext
    /// The device certificate these were made from (to notice a new one).
    let certificatePEM: String

    /// Contexts from the device's identity; nil before it is enrolled.
    init?(identity: AgentIdentity) throws {
        guard let caPEM = identity.caCertificatePEM, let certificatePEM = identity.certificatePEM else { return nil }
        let ca = try NIOSSLCertificate.fromPEMBytes(Array(caPEM.utf8))
        let chain = try NIOSSLCertificate.fromPEMBytes(Array(certificatePEM.utf8)).map { NIOSSLCertificateSource.certificate($0) }
        let key = NIOSSLPrivateKeySource.privateKey(try NIOSSLPrivateKey(bytes: Array(identity.privateKey.pemRepresentation.utf8), format: .pem))
        var server = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: key)
        var client = TLSConfiguration.makeClientConfiguration()
        client.certificateChain = chain
        client.privateKey = key
        server.minimumTLSVersion = .tlsv13
        client.minimumTLSVersion = .tlsv13
        server.trustRoots = .certificates(ca)
        client.trustRoots = .certificates(ca)
        // The chain to the CA is verified; peers are named by device id, not host name.
        server.certificateVerification = .noHostnameVerification
        client.certificateVerification = .noHostnameVerification
        self.server = try NIOSSLContext(configuration: server)
        self.client = try NIOSSLContext(configuration: client)
        self.certificatePEM = certificatePEM
    }

    /// The device id a device certificate names (its `urn:homelab:device:ID` name), if any.
    static func deviceID(of certificate: NIOSSLCertificate) -> String? {
        let prefix = "urn:homelab:device:"
        for name in certificate._subjectAlternativeNames() where name.nameType == .uri {
            let text = String(decoding: name.contents, as: UTF8.self)
            if text.hasPrefix(prefix) { return String(text.dropFirst(prefix.count)) }
        }
        return nil
    }
}

/// The peer TLS contexts of the moment: made once the device has a certificate, made again when it gets a new one.
final class PeerTLSSource: Sendable {
    private let identity: AgentIdentity
    private let current = Mutex<PeerTLS?>(nil)

    init(identity: AgentIdentity) { self.identity = identity }

    /// The contexts, read again from the identity's files when the certificate there changed; nil before enrollment.
    func contexts() throws -> PeerTLS? {
        let certificate = identity.certificatePEM
        if let known = current.withLock({ $0 }), known.certificatePEM == certificate { return known }
        let fresh = try PeerTLS(identity: identity)
        current.withLock { $0 = fresh }
        return fresh
    }

    /// The contexts as last made, without reading any file (for the event loop).
    var cached: PeerTLS? { current.withLock { $0 } }
}

/// Completes a promise with the peer's certificate once the TLS handshake is done, then leaves the pipeline;
/// fails it when the handshake fails or the connection closes first.
final class PeerCertificateObserver: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    private let promise: EventLoopPromise<NIOSSLCertificate?>

    init(promise: EventLoopPromise<NIOSSLCertificate?>) { self.promise = promise }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let tls = event as? TLSUserEvent, case .handshakeCompleted = tls {
            promise.succeed(try? context.channel.pipeline.syncOperations.nioSSL_peerCertificate())
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.fail(error)
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(HomelabError(.connectionClosed, "closed during the TLS handshake"))
        context.fireChannelInactive()
    }

    /// A channel torn down before it was ever active still settles the promise (a later outcome is ignored).
    func handlerRemoved(context: ChannelHandlerContext) {
        promise.fail(HomelabError(.connectionClosed, "closed during the TLS handshake"))
    }
}
