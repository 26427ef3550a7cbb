import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS
import Protocol
import ServiceLifecycle
import Synchronization

/// Accepts agent connections on the agent port. A client certificate, when presented, must chain to
/// the CA or the TLS handshake fails before any frame; without one, only `hello` + `enroll` are served.
public struct AgentListener: Service {
    let host: String
    let port: Int
    let tlsContext: NIOSSLContext
    let caCertificatePEM: String
    let registry: DeviceRegistry
    let enrollment: EnrollmentService
    let maximumFrameLength: Int
    let logger: Logger
    let bound: BoundPort
    /// Connections without a certificate served at once; more are refused with `busy`.
    let anonymousSlots: Slots
    /// How long a new connection may take to finish TLS and hello.
    let handshakeTimeout: Duration
    /// How long a connection without a certificate may stay open.
    let anonymousTimeout: Duration
    /// Connections open at once, in total and per address.
    let gate: ConnectionGate
    /// Enrollment requests per address.
    let enrollments: RateLimiter

    public func run() async throws {
        let tlsContext = self.tlsContext
        let maximumFrameLength = self.maximumFrameLength
        let gate = self.gate
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let handshake = channel.eventLoop.makePromise(of: NIOSSLCertificate?.self)
                    let sync = channel.pipeline.syncOperations
                    try sync.addHandler(ConnectionGateHandler(gate: gate))
                    try sync.addHandler(NIOSSLServerHandler(context: tlsContext))
                    try sync.addHandler(TLSHandshakeObserver(promise: handshake))
                    try sync.addHandler(ByteToMessageHandler(FrameDecoder(maximumFrameLength: maximumFrameLength)))
                    try sync.addHandler(MessageToByteHandler(FrameEncoder()))
                    let async = try NIOAsyncChannel<Frame, Frame>(wrappingChannelSynchronously: channel)
                    return AcceptedConnection(channel: async, peerCertificate: handshake.futureResult)
                }
            }
        bound.set(server.channel.localAddress?.port ?? port)
        logger.info("agent listener on \(host):\(bound.value ?? port)")
        // At shutdown the listening socket is closed and the accepted connections still queued are taken
        // and closed one by one, never dropped: NIO traps on a connection dropped unclosed once it is
        // active (a race seen when agents reconnect to a controller that is stopping).
        let sessions = SessionTasks()
        await withGracefulShutdownHandler {
            try? await server.executeThenClose { inbound in
                for try await connection in inbound {
                    if sessions.isClosed {
                        try? await connection.channel.executeThenClose { _, _ in }
                    } else {
                        sessions.start { await self.serve(connection) }
                    }
                }
            }
        } onGracefulShutdown: {
            sessions.close()
            server.channel.close(promise: nil)
        }
        await sessions.waitForAll()
    }

    private func serve(_ accepted: AcceptedConnection) async {
        let channel = accepted.channel.channel
        let address = channel.remoteAddress?.ipAddress
        // A peer that never completes TLS and hello, or an anonymous one that lingers, is cut off.
        let deadline = ConnectionDeadline(channel: channel, after: handshakeTimeout)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await deadline.enforce() }
            do {
                try await accepted.channel.executeThenClose { inbound, outbound in
                    var iterator = inbound.makeAsyncIterator()
                    if let certificate = try await accepted.peerCertificate.get() {
                        try await serveDevice(certificate: certificate, address: address, channel: channel, deadline: deadline,
                                              inbound: &iterator, outbound: outbound)
                    } else {
                        deadline.reset(after: anonymousTimeout)
                        try await serveEnrollment(address: address, inbound: &iterator, outbound: outbound)
                    }
                }
            } catch {
                logger.debug("agent connection from \(address ?? "?") ended: \(error)")
            }
            group.cancelAll()
        }
    }

    private func serveDevice(certificate: NIOSSLCertificate, address: String?, channel: any Channel, deadline: ConnectionDeadline,
                             inbound: inout NIOAsyncChannelInboundStream<Frame>.AsyncIterator,
                             outbound: NIOAsyncChannelOutboundWriter<Frame>) async throws {
        let deviceID: String
        do {
            deviceID = try await DeviceCertificateCheck(store: registry.store).deviceID(for: certificate)
        } catch let error as HomelabError {
            logger.warning("refused a device certificate from \(address ?? "?"): \(error.message)")
            try await outbound.write(.message(WireCoding.encode(Envelope(id: 0, type: MessageType.error, body: error))))
            return
        }
        let hello = Hello(role: .controller, software: ControllerVersion.current, deviceID: deviceID)
        let connection = try await MessageConnection.handshake(ours: hello, inbound: &inbound, outbound: outbound, dialer: false)
        // From here the heartbeat TTL watches the connection.
        deadline.disarm()
        let session = try await registry.connected(deviceID: deviceID, address: address, now: Date(), connection: connection) {
            channel.close(promise: nil)
        }
        do {
            try await connection.run(inbound: &inbound, handler: DeviceSessionHandler(deviceID: deviceID, registry: registry, maximumFactsBytes: enrollment.limits.maximumFactsBytes, logger: logger))
        } catch {
            await registry.disconnected(deviceID: deviceID, sessionID: session, now: Date())
            throw error
        }
        await registry.disconnected(deviceID: deviceID, sessionID: session, now: Date())
    }

    private func serveEnrollment(address: String?, inbound: inout NIOAsyncChannelInboundStream<Frame>.AsyncIterator,
                                 outbound: NIOAsyncChannelOutboundWriter<Frame>) async throws {
        guard anonymousSlots.acquire() else {
            let busy = HomelabError(.busy, "the controller is serving too many enrolling connections; retry later")
            try await outbound.write(.message(WireCoding.encode(Envelope(id: 0, type: MessageType.error, body: busy))))
            return
        }
        defer { anonymousSlots.release() }
        let challenge = Secrets.randomHex(bytes: 32)
        let hello = Hello(role: .controller, software: ControllerVersion.current, challenge: challenge, caCertificate: caCertificatePEM)
        let connection = try await MessageConnection.handshake(ours: hello, inbound: &inbound, outbound: outbound, dialer: false)
        let handler = EnrollmentHandler(challenge: challenge, address: address, enrollment: enrollment, rate: enrollments, logger: logger)
        try await connection.run(inbound: &inbound, handler: handler)
    }
}

/// A counting semaphore that never waits: `acquire` fails when all slots are taken.
final class Slots: Sendable {
    private let state: Mutex<(used: Int, limit: Int)>
    init(_ limit: Int) { state = Mutex((0, limit)) }
    func acquire() -> Bool {
        state.withLock { state in
            guard state.used < state.limit else { return false }
            state.used += 1
            return true
        }
    }
    func release() { state.withLock { $0.used -= 1 } }
}

/// A freshly accepted agent connection and the certificate its TLS handshake presented.
struct AcceptedConnection: Sendable {
    let channel: NIOAsyncChannel<Frame, Frame>
    let peerCertificate: EventLoopFuture<NIOSSLCertificate?>
}

/// The port a listener actually bound (useful with port 0 in tests).
public final class BoundPort: Sendable {
    private let port = Mutex<Int?>(nil)
    private let waiters = Mutex<[UUID: CheckedContinuation<Int?, Never>]>([:])
    /// Creates an unset port.
    public init() {}
    func set(_ value: Int) {
        port.withLock { $0 = value }
        for waiter in waiters.withLock({ w -> [CheckedContinuation<Int?, Never>] in defer { w = [:] }; return Array(w.values) }) { waiter.resume(returning: value) }
    }
    /// The bound port, if bound.
    public var value: Int? { port.withLock { $0 } }
    /// Waits until the listener is bound; throws `CancellationError` when cancelled first.
    public func wait() async throws -> Int {
        let id = UUID()
        let value: Int? = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Int?, Never>) in
                let now: Int? = port.withLock { value in
                    if value == nil {
                        if Task.isCancelled {
                            continuation.resume(returning: nil)
                            return nil
                        }
                        waiters.withLock { $0[id] = continuation }
                    }
                    return value
                }
                if let now { continuation.resume(returning: now) }
            }
        } onCancel: {
            waiters.withLock { $0.removeValue(forKey: id) }?.resume(returning: nil)
        }
        guard let value else { throw CancellationError() }
        return value
    }
}

/// Reports the peer certificate once the TLS handshake completes, then leaves the pipeline.
final class TLSHandshakeObserver: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    private let promise: EventLoopPromise<NIOSSLCertificate?>

    init(promise: EventLoopPromise<NIOSSLCertificate?>) { self.promise = promise }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let tls = event as? TLSUserEvent, case .handshakeCompleted = tls {
            let certificate = try? context.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self).peerCertificate
            promise.succeed(certificate)
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
}

/// The controller's version string.
public enum ControllerVersion {
    /// Current release.
    public static let current = "0.1.0"
}

/// The tasks serving agent connections: cancelled all at once at shutdown, and waited for.
final class SessionTasks: Sendable {
    private struct State {
        var tasks: [UInt64: Task<Void, Never>] = [:]
        var next: UInt64 = 0
        var closed = false
    }
    private let state = Mutex(State())

    var isClosed: Bool { state.withLock { $0.closed } }

    /// Runs `body` in a task of its own, removed from the set when it ends (cancelled at once when closed).
    func start(_ body: @escaping @Sendable () async -> Void) {
        state.withLock { state in
            let id = state.next
            state.next += 1
            let task = Task { [weak self] in
                await body()
                _ = self?.state.withLock { $0.tasks.removeValue(forKey: id) }
            }
            if state.closed { task.cancel() }
            state.tasks[id] = task
        }
    }

    /// Cancels every task; later ones start cancelled.
    func close() {
        for task in state.withLock({ state -> [Task<Void, Never>] in state.closed = true; return Array(state.tasks.values) }) { task.cancel() }
    }

    func waitForAll() async {
        while let task = state.withLock({ $0.tasks.values.first }) { await task.value }
    }
}
