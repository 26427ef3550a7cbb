import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Protocol
import ServiceLifecycle

/// Serves restic's REST protocol (v2) from this device's repositories, over mutual TLS with the
/// homelab's CA, on the port the controller chose: each request is allowed or refused by the client
/// certificate's key (``TargetAccess``). Idle until the device is made a target; a change of port,
/// folder or certificate re-binds, a change of who may do what applies to the next request.
public struct BackupTargetServer: Service {
    let settings: TargetSettingsStore
    let identity: AgentIdentity
    let logger: Logger

    /// Creates the server over the device's identity and its saved settings.
    public init(settings: TargetSettingsStore, identity: AgentIdentity, logger: Logger) {
        self.settings = settings
        self.identity = identity
        self.logger = logger
    }

    /// What needs a new listener when it changes.
    private struct Binding: Equatable {
        var listen: String, port: Int, path: String, certificate: String
        init?(_ settings: BackupTargetSettings?) {
            guard let settings else { return nil }
            (listen, port, path, certificate) = (settings.listen, settings.port, settings.path, settings.certificate)
        }
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            var current = settings.current
            while !Task.isCancelled {
                let (wanted, version) = current
                let binding = Binding(wanted)
                let next = await withTaskGroup(of: (BackupTargetSettings?, Int)?.self, returning: (BackupTargetSettings?, Int)?.self) { group in
                    if let wanted {
                        group.addTask { () -> (BackupTargetSettings?, Int)? in
                            await serve(wanted, version: version)
                            return nil
                        }
                    } else {
                        settings.report(.idle, version: version)
                    }
                    group.addTask { () -> (BackupTargetSettings?, Int)? in
                        // Only a new binding needs a new listener; new rules are read per request.
                        var seen = version
                        while !Task.isCancelled {
                            await settings.waitForChange(after: seen)
                            let (now, latest) = settings.current
                            seen = latest
                            if Binding(now) != binding { return (now, latest) }
                            settings.report(binding.map { .serving(port: $0.port) } ?? .idle, version: latest)
                        }
                        return nil
                    }
                    defer { group.cancelAll() }
                    while let result = await group.next() {
                        if let result { return result }
                    }
                    return nil
                }
                guard let next else { return }
                current = next
            }
        }
    }

    /// Listens with `target` until cancelled; a failure to listen is reported and retried every 5 s.
    private func serve(_ target: BackupTargetSettings, version: Int) async {
        while !Task.isCancelled {
            do {
                try await listen(target, version: version)
                return
            } catch {
                let message = "cannot serve backups on \(target.listen):\(target.port): \(error)"
                logger.error("\(message)")
                settings.report(.failed(message), version: version)
                try? await Task.sleep(for: .seconds(5))
            }
        }
    }

    private func listen(_ target: BackupTargetSettings, version: Int) async throws {
        let context = try NIOSSLContext(configuration: tls(target))
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: target.listen, port: target.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    // A connection that neither reads nor writes for 5 minutes (a stalled handshake, an
                    // idle keep-alive) is closed; restic opens a new one when it needs it.
                    try sync.addHandler(IdleStateHandler(allTimeout: .minutes(5)))
                    try sync.addHandler(IdleCloser())
                    try sync.addHandler(NIOSSLServerHandler(context: context))
                    try sync.configureHTTPServerPipeline(withErrorHandling: true)
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(wrappingChannelSynchronously: channel)
                }
            }
        let folder = RepositoryFolder(root: target.path)
        try await NIOThreadPool.singleton.runIfActive { folder.removeTemporaryFiles() }
        settings.report(.serving(port: server.channel.localAddress?.port ?? target.port), version: version)
        logger.info("serving backups (restic REST v2) from \(target.path) on \(target.listen):\(target.port)")
        await withDiscardingTaskGroup { group in
            try? await server.executeThenClose { inbound in
                for try await connection in inbound {
                    group.addTask {
                        await RESTConnection(channel: connection, folder: folder, settings: settings, logger: logger).serve()
                    }
                }
            }
        }
    }

    /// Mutual TLS: the CA-issued server certificate for this device's own key; clients must present
    /// a certificate that chains to the homelab's CA, or the handshake fails before any request.
    private func tls(_ target: BackupTargetSettings) throws -> TLSConfiguration {
        guard let caPEM = identity.caCertificatePEM else { throw AgentError.tls("this device has no CA pinned yet: it is not enrolled") }
        let key = try NIOSSLPrivateKey(bytes: Array(identity.privateKey.pemRepresentation.utf8), format: .pem)
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMBytes(Array(target.certificate.utf8)).map { .certificate($0) },
            privateKey: .privateKey(key))
        tls.minimumTLSVersion = .tlsv13
        tls.certificateVerification = .noHostnameVerification
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(caPEM.utf8)))
        return tls
    }
}

/// Closes a channel when the ``IdleStateHandler`` before it says it has been idle.
private final class IdleCloser: ChannelInboundHandler, Sendable {
    typealias InboundIn = NIOAny

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}
