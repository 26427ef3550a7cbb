import NIOCore
import NIOPosix
import NIOSSL
// NIOTLS comes with NIOSSL (it defines the handshake event); see the CLI README.
import NIOTLS

/// Learns which CA a controller presents: one TLS handshake that accepts and records the chain, then closes.
///
/// Nothing is sent over this connection, so accepting any certificate here reveals nothing; trust is
/// decided afterwards by the fingerprint check or the person, and every later request pins that CA.
public enum CAProbe {
    /// The certificates the controller at `url` presents, leaf first.
    public static func presentedChain(at url: ControllerURL, connectTimeout: TimeAmount = .seconds(5)) async throws(CLIError) -> [NIOSSLCertificate] {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        let context: NIOSSLContext
        do {
            context = try NIOSSLContext(configuration: configuration)
        } catch {
            throw CLIError(.other, "cannot set up TLS: \(error)", exitCode: ExitStatus.failure)
        }
        let eventLoop = MultiThreadedEventLoopGroup.singleton.next()
        let recorded = eventLoop.makePromise(of: [NIOSSLCertificate].self)
        let serverHostname = url.hostIsIPAddress ? nil : url.host
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(connectTimeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let recorder = ChainRecorder(promise: recorded)
                    let tls = try NIOSSLClientHandler(
                        context: context,
                        serverHostname: serverHostname,
                        customVerificationCallback: { certificates, verification in
                            recorder.chain = certificates
                            verification.succeed(.certificateVerified)
                        }
                    )
                    try channel.pipeline.syncOperations.addHandlers(tls, recorder)
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: url.host, port: url.port).get()
        } catch {
            recorded.fail(error)
            throw TransportErrors.describe(error, url: url)
        }
        do {
            let chain = try await recorded.futureResult.get()
            try? await channel.close()
            return chain
        } catch {
            try? await channel.close()
            throw TransportErrors.describe(error, url: url)
        }
    }

    /// The CA the controller at `url` presents.
    public static func presentedCA(at url: ControllerURL) async throws(CLIError) -> CACertificate {
        try CACertificate.root(ofChain: try await presentedChain(at: url))
    }
}

/// Completes the promise with the recorded chain once the handshake is done, or fails it.
private final class ChainRecorder: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private let promise: EventLoopPromise<[NIOSSLCertificate]>
    var chain: [NIOSSLCertificate] = []

    init(promise: EventLoopPromise<[NIOSSLCertificate]>) {
        self.promise = promise
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted = event {
            promise.succeed(chain)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.fail(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(ChannelError.eof)
        context.fireChannelInactive()
    }
}
