import FoundationEssentials
import Logging
import NIOCore
import NIOSSL
import Protocol
import ServiceLifecycle
import Synchronization

/// What the link reports about the device.
public protocol DeviceReporting: Sendable {
    /// The device's facts.
    func facts() async -> DeviceFacts
    /// One metrics sample.
    func sample() async -> MetricsSample
}

/// The agent's one connection to the controller: enrolls when it has no certificate, then keeps a
/// mutual-TLS session reporting facts, metrics and heartbeats, reconnecting with backoff and jitter.
public struct ControllerLink: Service {
    let config: AgentConfig
    let identity: AgentIdentity
    let reporter: any DeviceReporting
    /// Stack requests and container events; nil on a device the agent runs no containers on.
    let stacks: StackRequests?
    /// Volume transfers and the other requests of a migration; nil where there are none.
    let transfers: TransferRequests?
    /// Backup requests: runs and the backup-target settings; nil where backups are not served.
    let backups: BackupRequests?
    let logger: Logger
    /// The link's state, for tests and status output.
    public let status: LinkStatus
    /// Where the controller is (configured or discovered), and the doorbell that cuts a retry wait short.
    public let locator: ControllerLocator
    /// Whether start-up pages were released already (once per process).
    private static let startupPagesReleased = Atomic<Bool>(false)

    /// Creates a link.
    public init(config: AgentConfig, identity: AgentIdentity, reporter: any DeviceReporting, stacks: StackRequests? = nil,
                transfers: TransferRequests? = nil, backups: BackupRequests? = nil, status: LinkStatus = LinkStatus(), locator: ControllerLocator? = nil, logger: Logger) {
        self.config = config
        self.identity = identity
        self.reporter = reporter
        self.stacks = stacks
        self.transfers = transfers
        self.backups = backups
        self.status = status
        self.locator = locator ?? ControllerLocator(configured: config.controllerEndpoint)
        self.logger = logger
    }

    /// What one connection attempt ended with.
    enum Outcome {
        /// Enrolled just now: connect again at once with the certificate.
        case enrolled
        /// Waiting for approval: ask again after the poll interval.
        case pending
        /// A session ran and ended; `healthy` when it lasted long enough to reset the backoff.
        case sessionEnded(healthy: Bool)
    }

    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            if locator.endpoint == nil {
                logger.info("no controller address configured: looking for the controller's announcements")
            }
            var backoff = Backoff(maximum: config.maximumBackoff)
            while !Task.isCancelled {
                let delay: Duration
                let endpoint = try await locator.waitForEndpoint()
                let dialer = ControllerDialer(host: endpoint.host, port: endpoint.port, maximumFrameLength: FrameLimits.defaultMaximumFrameLength)
                do {
                    switch try await attempt(dialer) {
                    case .enrolled:
                        backoff.reset()
                        continue
                    case .pending:
                        delay = config.pendingPollInterval
                    case .sessionEnded(let healthy):
                        if healthy { backoff.reset() }
                        status.set(.connecting)
                        delay = backoff.next()
                    }
                } catch is CancellationError {
                    return
                } catch {
                    let message = LinkErrorDescription.describe(error, endpoint: endpoint.description)
                    if let protocolError = error as? HomelabError, protocolError.code == .deviceRevoked {
                        forgetRevokedCertificate()
                    }
                    logger.error("\(message)")
                    status.set(.failed(message))
                    delay = backoff.next()
                }
                // Pending approval polls on its own schedule; otherwise hearing the controller ends the wait.
                if case .pending = status.current {
                    try await Task.sleep(for: delay)
                } else {
                    try await locator.sleep(for: delay)
                }
            }
        }
    }

    private func attempt(_ dialer: ControllerDialer) async throws -> Outcome {
        if let caPEM = identity.caCertificatePEM, let certificatePEM = identity.certificatePEM {
            let key = try NIOSSLPrivateKey(bytes: Array(identity.privateKey.pemRepresentation.utf8), format: .pem)
            return try await session(dialer.connect(.mutual(caPEM: caPEM, certificatePEM: certificatePEM, key: key)))
        }
        let caPEM = try await pinnedCA(dialer)
        return try await enroll(dialer.connect(.pinned(caPEM: caPEM)))
    }

    // MARK: Enrollment

    /// The join token to use, unless its id was spent by an earlier, since removed, enrollment.
    private var usableToken: JoinToken? {
        get throws {
            guard let text = config.joinToken else { return nil }
            let token = try JoinToken(parsing: text)
            return identity.spentTokenIDs.contains(token.id) ? nil : token
        }
    }

    /// The CA to trust: the pinned one, or the one the controller presents, checked against the
    /// join token's hash before anything secret is sent (trusted on first use without a token).
    private func pinnedCA(_ dialer: ControllerDialer) async throws -> String {
        if let pinned = identity.caCertificatePEM { return pinned }
        let channel = try await dialer.connect(.fetchCA)
        let hello = try await channel.executeThenClose { inbound, outbound in
            var iterator = inbound.makeAsyncIterator()
            let connection = try await MessageConnection.handshake(ours: ourHello, inbound: &iterator, outbound: outbound, dialer: true)
            return connection.peerHello
        }
        guard let caPEM = hello.caCertificate else {
            throw HomelabError(.handshakeRequired, "the controller sent no CA certificate")
        }
        let fingerprint = try AgentIdentity.fingerprint(ofCertificatePEM: caPEM)
        if let token = try usableToken {
            guard fingerprint == token.caHash else {
                throw HomelabError(.invalidToken, "the controller's CA (sha256:\(fingerprint)) does not match the join token's (sha256:\(token.caHash)); refusing to send the token")
            }
        } else {
            logger.warning("no join token: trusting the controller CA sha256:\(fingerprint) on first use")
        }
        try identity.saveCA(caPEM)
        return caPEM
    }

    private func enroll(_ channel: NIOAsyncChannel<Frame, Frame>) async throws -> Outcome {
        let token = try usableToken
        let facts = await reporter.facts()
        let reply = try await channel.executeThenClose { inbound, outbound in
            var iterator = inbound.makeAsyncIterator()
            let connection = try await MessageConnection.handshake(ours: ourHello, inbound: &iterator, outbound: outbound, dialer: true)
            guard let challenge = connection.peerHello.challenge else {
                throw HomelabError(.handshakeRequired, "the controller sent no enrollment challenge")
            }
            let request = EnrollRequest(
                token: token?.description, deviceID: identity.deviceID, name: config.name ?? facts.hostname,
                publicKey: identity.publicKeyBase64, signature: try identity.signEnrollment(challenge: challenge), facts: facts)
            return try await withThrowingTaskGroup(of: EnrollReply.self) { group in
                group.addTask {
                    // The reply ends the conversation: closing the channel ends the reader below.
                    defer { channel.channel.close(promise: nil) }
                    return try await connection.request(MessageType.enroll, request, as: EnrollReply.self)
                }
                try? await connection.run(inbound: &iterator, handler: RefuseRequests())
                guard let reply = try await group.next() else {
                    throw HomelabError(.connectionClosed, "the controller closed the connection during enrollment")
                }
                return reply
            }
        }
        switch reply.status {
        case .enrolled:
            guard let certificate = reply.certificate else {
                throw HomelabError(.malformedMessage, "enrollment reply without a certificate")
            }
            if let ca = reply.caCertificate { try identity.saveCA(ca) }
            try identity.saveCertificate(certificate)
            logger.info("enrolled as \(reply.name)")
            return .enrolled
        case .pending:
            if status.current != .pending(name: reply.name) {
                logger.notice("waiting for approval: run 'homelab devices approve \(reply.name)' (key \(identity.keyFingerprint))")
            }
            status.set(.pending(name: reply.name))
            return .pending
        }
    }

    private func forgetRevokedCertificate() {
        identity.discardCertificate()
        if let token = try? usableToken { try? identity.markTokenSpent(token.id) }
        logger.error("this device was removed from the controller; it will ask to join again and wait for approval")
    }

    private var ourHello: Hello {
        Hello(role: .agent, software: BuildInfo.version, capabilities: ["metrics", "facts"])
    }

    // MARK: Session

    private func session(_ channel: NIOAsyncChannel<Frame, Frame>) async throws -> Outcome {
        let started = ContinuousClock.now
        try await channel.executeThenClose { inbound, outbound in
            var iterator = inbound.makeAsyncIterator()
            let connection = try await MessageConnection.handshake(ours: ourHello, inbound: &iterator, outbound: outbound, dialer: true)
            status.set(.connected(name: config.name ?? identity.deviceID))
            logger.info("connected to the controller (protocol v\(connection.version))")
            try await connection.sendEvent(MessageType.facts, await reporter.facts())
            if Self.startupPagesReleased.exchange(true, ordering: .relaxed) == false {
                // Enrolled, connected, first facts sent: start-up is over; keep only what the loop uses.
                ResidentMemory.releaseStartupPages()
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                let close: @Sendable () -> Void = { channel.channel.close(promise: nil) }
                group.addTask {
                    defer { close() }
                    try await reportMetrics(connection)
                }
                group.addTask {
                    defer { close() }
                    try await sendHeartbeats(connection)
                }
                if let stacks {
                    group.addTask { try await stacks.forwardEvents(to: connection, logger: logger) }
                }
                // The reader ends the session when the connection closes; a failed sender closes it.
                defer { group.cancelAll() }
                try await connection.run(inbound: &iterator, handler: AgentRequestHandler(reporter: reporter, stacks: stacks, transfers: transfers, backups: backups, logger: logger))
            }
        }
        let lasted = ContinuousClock.now - started
        logger.warning("the session with the controller ended after \(lasted.components.seconds) s; connecting again")
        return .sessionEnded(healthy: lasted > .seconds(10))
    }

    private func reportMetrics(_ connection: MessageConnection) async throws {
        while true {
            try await connection.sendEvent(MessageType.metrics, await reporter.sample())
            try await Task.sleep(for: config.sampleInterval)
        }
    }

    /// Pings the controller every heartbeat interval: the controller counts each as a heartbeat, and
    /// a reply missing for three intervals ends the session here too. Without it a cut cable leaves
    /// the agent writing into a dead TCP connection for many minutes before the kernel gives up.
    private func sendHeartbeats(_ connection: MessageConnection) async throws {
        let timeout = max(config.heartbeatInterval * 3, .seconds(2))
        while true {
            try await Task.sleep(for: config.heartbeatInterval)
            do {
                _ = try await connection.request(MessageType.ping, Empty(), as: Empty.self, timeout: timeout)
            } catch let error as HomelabError where error.code == .timeout {
                logger.warning("the controller did not answer a ping within \(timeout.components.seconds) s: ending the session")
                throw error
            }
        }
    }
}

/// Requests the controller may send an agent in protocol v1.
struct AgentRequestHandler: MessageHandler {
    let reporter: any DeviceReporting
    let stacks: StackRequests?
    let transfers: TransferRequests?
    let backups: BackupRequests?
    let logger: Logger

    func handleRequest(_ message: InboundMessage, on connection: MessageConnection) async throws -> any Codable & Sendable {
        switch message.header.type {
        case MessageType.ping: return Empty()
        case MessageType.sample: return await reporter.sample()
        default:
            if let reply = try await stacks?.handle(message, on: connection) { return reply }
            if let reply = try await transfers?.handle(message, on: connection) { return reply }
            if let reply = try await backups?.handle(message, on: connection) { return reply }
            throw HomelabError(.unknownType, "the agent does not serve '\(message.header.type)'")
        }
    }

    func handleEvent(_ message: InboundMessage, on connection: MessageConnection) async {}

    func requestFailed(_ message: InboundMessage, error: any Error) async {
        logger.error("'\(message.header.type)' from the controller failed: \(error)")
    }
}

/// During enrollment the controller has nothing to ask.
struct RefuseRequests: MessageHandler {
    func handleRequest(_ message: InboundMessage, on connection: MessageConnection) async throws -> any Codable & Sendable {
        throw HomelabError(.unknownType, "not enrolled yet")
    }

    func handleEvent(_ message: InboundMessage, on connection: MessageConnection) async {}

    // Nothing to log: every request is refused with a HomelabError.
    func requestFailed(_ message: InboundMessage, error: any Error) async {}
}
