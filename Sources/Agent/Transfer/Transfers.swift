import FoundationEssentials
import Logging
import NIOCore
import Protocol
import ServiceLifecycle
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// This device's transfers of volumes to and from other devices. As a destination it holds the tickets
/// the controller hands it and serves the peer port; as a source it sends to a destination's peer port,
/// or through the controller when there is no direct path. Requests come over the controller link.
public final class Transfers: Sendable {
    /// The peer port's address, port and limits.
    public struct Settings: Sendable, Equatable {
        /// Address the peer port binds.
        public var host = "0.0.0.0"
        /// The peer port (TCP; 0 lets the kernel pick, for tests).
        public var port = 7446
        /// Peer connections served at once.
        public var connections = 8
        /// How long a peer connection may take for TLS, `hello` and its ticket.
        public var handshakeTimeout: Duration = .seconds(10)
        /// Debug builds only: flip one byte of one volume's tar stream when sent (the manifest check's test).
        var corruption: TransferFaults.Corruption?
        /// Creates the defaults.
        public init() {}
    }

    let volumes: VolumeDirectories
    let tickets = TransferTickets()
    let tls: PeerTLSSource
    let settings: Settings
    let logger: Logger
    /// Where list files for tar go while a volume is sent.
    let scratchDirectory: String
    /// The volumes each transfer being received has made, noted on disk.
    let markers: ReceivingMarkers
    /// How many bytes a receiver lets a sender have in flight on a transfer stream.
    static let streamWindow: UInt64 = 4 << 20
    private let receptions = Mutex<[String: Reception]>([:])
    private let sending = Mutex<[String: Completion<Void>]>([:])
    private let relays = Mutex<[String: Completion<InboundStream>]>([:])
    private let program = Mutex<GNUTar?>(nil)
    private let port = Mutex<Int?>(nil)

    /// Creates the transfers of a device whose Docker is `runtime`.
    public init(runtime: any ContainerRuntime, identity: AgentIdentity, settings: Settings, scratchDirectory: String, logger: Logger) {
        volumes = VolumeDirectories(runtime: runtime)
        tls = PeerTLSSource(identity: identity)
        self.settings = settings
        self.scratchDirectory = scratchDirectory
        markers = ReceivingMarkers(directory: scratchDirectory + "/receiving")
        self.logger = logger
    }

    /// The peer port as a service of the agent's group.
    public var peerPort: some Service { PeerPortService(transfers: self) }

    /// The port the peer port is bound to, once bound.
    public var boundPort: Int? { port.withLock { $0 } }

    /// GNU tar, found once.
    func tar() async throws -> GNUTar {
        if let known = program.withLock({ $0 }) { return known }
        let found = try await GNUTar.locate()
        program.withLock { $0 = found }
        return found
    }

    func reception(_ transfer: String) -> Reception? { receptions.withLock { $0[transfer] } }

    // MARK: The peer port

    private var listener: MutualTLSListener<PeerConnection.Channel> {
        MutualTLSListener(settings: .init(host: settings.host, port: settings.port, connections: settings.connections,
                                          handshakeTimeout: settings.handshakeTimeout),
                          tls: tls, logger: logger, wrap: PeerConnection.wrap, dispose: PeerConnection.dispose)
    }

    /// Removes what transfers left when the agent stopped during them, then listens on the peer port until
    /// cancelled. A port that cannot be had (another program holds it) costs the transfers, not the agent:
    /// it is tried again every 30 s.
    func listen() async throws {
        await markers.removeLeftovers(volumes, logger: logger)
        TransferSender.removeLeftoverLists(in: scratchDirectory)
        _ = try? tls.contexts()
        while true {
            do {
                try await listener.run(bound: { bound in
                    self.port.withLock { $0 = bound }
                    self.logger.info("peer port on \(self.settings.host):\(bound)")
                }, serve: serve)
                return
            } catch where !Task.isCancelled {
                port.withLock { $0 = nil }
                logger.error("the peer port \(settings.host):\(settings.port) does not listen (\(error)): transfers to this device fail until it does; trying again in 30 s")
                try await Task.sleep(for: .seconds(30))
            }
        }
    }

    /// Serves one peer connection: only a device some ticket names gets past `hello`, and only with that
    /// ticket does it get further; everything else is refused with a reason, and logged.
    @Sendable func serve(_ connection: MutualTLSListener<PeerConnection.Channel>.Connection) async {
        let raw = connection.raw
        guard let device = connection.device, tickets.names(source: device) else {
            let refusal = HomelabError(.transferRefused, "this device expects no transfer from \(connection.device ?? "a certificate that names no device")")
            logger.warning("refused a peer connection from \(connection.address): \(refusal.message)")
            // Written past the async writer so it can be awaited: closing drops what is still queued.
            if let frame = try? WireCoding.encode(Envelope(id: 0, type: MessageType.error, body: refusal)) {
                try? await raw.writeAndFlush(Frame.message(frame)).get()
            }
            await PeerConnection.dispose(connection.channel)
            return
        }
        let receiver = TransferReceiver(device: device, transfers: self) { raw.close(promise: nil) }
        var failure: (any Error)?
        do {
            try await withTaskCancellationHandler {
                try await connection.channel.executeThenClose { inbound, outbound in
                    var iterator = inbound.makeAsyncIterator()
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            // TLS, hello and a good ticket within the handshake timeout, or the connection goes.
                            try await Task.sleep(for: self.settings.handshakeTimeout)
                            if !receiver.isOpen { raw.close(promise: nil) }
                        }
                        defer { group.cancelAll() }
                        let session = try await MessageConnection.handshake(ours: PeerConnection.hello, inbound: &iterator, outbound: outbound, dialer: false)
                        try await session.run(inbound: &iterator, handler: receiver)
                    }
                }
            } onCancel: {
                raw.close(promise: nil)
            }
        } catch {
            failure = error
        }
        await receiver.finish(connectionError: failure)
    }

    // MARK: Requests of the controller

    /// `transfer.expect`: registers the ticket; the reply names the peer port.
    func expect(_ request: TransferExpect) throws -> TransferExpected {
        for volume in request.volumes where !TransferVolume.isValidName(volume.name) {
            throw HomelabError(.invalidSpec, "'\(volume.name)' is not a volume name")
        }
        guard request.expiresIn > 0, request.expiresIn <= 3600, request.ticket.utf8.count >= 32 else {
            throw HomelabError(.invalidSpec, "a ticket needs 32 characters or more and an expiry within an hour")
        }
        guard let port = boundPort, try tls.contexts() != nil else {
            throw HomelabError(.runtime, "the peer port is not listening (is another program on port \(settings.port)?)")
        }
        try tickets.add(request)
        receptions.withLock { $0[request.transfer] = Reception(expect: request) }
        return TransferExpected(port: port)
    }

    /// `transfer.wait`: the outcome of an expected transfer. The transfer is bound to the controller link
    /// this request came on: when that link ends, the transfer is aborted (and cleaned up).
    func wait(_ request: TransferWait, controller: MessageConnection) async throws -> TransferReport {
        guard let reception = reception(request.transfer) else { throw HomelabError(.notFound, "no transfer \(request.transfer) is expected") }
        reception.controller.withLock { $0 = controller }
        defer {
            tickets.withdraw(request.transfer)
            receptions.withLock { _ = $0.removeValue(forKey: request.transfer) }
        }
        return try await withThrowingTaskGroup(of: TransferReport?.self) { group in
            group.addTask { try await reception.outcome.value() }
            group.addTask {
                guard let expiry = self.tickets.expiry(of: request.transfer) else { return nil }
                try await Task.sleep(until: expiry)
                // Still unused: no source came in time (one that came is served to the end).
                if self.tickets.expiry(of: request.transfer) != nil {
                    reception.abort(HomelabError(.ticketExpired, "the source did not connect before the ticket expired"))
                }
                return nil
            }
            group.addTask {
                if await controller.closed() != nil {
                    reception.abort(HomelabError(.transferCancelled, "the link to the controller ended"))
                }
                return nil
            }
            group.addTask {
                let down = try await reception.relay.value()
                try await self.serveRelayed(reception, down: down, controller: controller)
                return nil
            }
            defer { group.cancelAll() }
            while let next = try await group.next() {
                if let report = next { return report }
            }
            throw HomelabError(.internal, "transfer \(request.transfer) ended without an outcome")
        }
    }

    /// `transfer.cancel`: aborts the transfer on this side.
    func cancel(_ request: TransferCancel) {
        let error = HomelabError(.transferCancelled, "cancelled by the controller: \(request.reason)")
        reception(request.transfer)?.abort(error)
        sending.withLock { $0[request.transfer] }?.complete(.failure(error))
    }

    /// `transfer.discard`: removes the volumes made for a migration that no container uses.
    func discard(_ request: TransferDiscard) async throws -> TransferDiscarded {
        var removed: [String] = []
        for volume in try await volumes.runtime.volumes(labelled: [VolumeDirectories.migrationLabel: request.migration]) {
            do {
                try await volumes.remove(volume.name)
                removed.append(volume.name)
            } catch {
                logger.warning("volume \(volume.name) of migration \(request.migration) stays: \(error)")
            }
        }
        return TransferDiscarded(removed: removed)
    }

    /// `transfer.send`: sends the volumes, bound to the controller link it came on, until done or cancelled.
    func send(_ request: TransferSend, controller: MessageConnection) async throws -> TransferReport {
        let cancelled = Completion<Void>()
        guard sending.withLock({ $0.updateValue(cancelled, forKey: request.transfer) }) == nil else {
            throw HomelabError(.invalidSpec, "transfer \(request.transfer) is being sent already")
        }
        defer { sending.withLock { _ = $0.removeValue(forKey: request.transfer) } }
        let sender = TransferSender(transfers: self, request: request, controller: controller)
        return try await withThrowingTaskGroup(of: TransferReport?.self) { group in
            group.addTask { try await sender.run() }
            group.addTask {
                try await cancelled.value()
                return nil
            }
            group.addTask {
                if await controller.closed() != nil {
                    throw HomelabError(.transferCancelled, "the link to the controller ended")
                }
                return nil
            }
            defer { group.cancelAll() }
            while let next = try await group.next() {
                if let report = next { return report }
            }
            throw HomelabError(.internal, "transfer \(request.transfer) ended without an outcome")
        }
    }

    // MARK: Relay

    /// A `relay` stream the controller opens to this device: for a transfer it receives, or sends.
    func acceptRelay(_ open: StreamOpen, on connection: MessageConnection) async throws -> StreamOpened {
        let token = open.parameters["token"] ?? ""
        let waiting = reception(token)?.relay ?? relays.withLock { $0[token] }
        guard let waiting, waiting.outcome == nil else {
            throw HomelabError(.streamError, "no relayed transfer \(token) waits here")
        }
        let stream = try await connection.acceptStream(open, window: Self.streamWindow)
        waiting.complete(.success(stream))
        return StreamOpened(credit: stream.window)
    }

    /// The controller's down stream for a transfer this device sends through the relay (registered before asking for it).
    func relayArrival(for transfer: String) -> Completion<InboundStream> {
        let arrival = Completion<InboundStream>()
        relays.withLock { $0[transfer] = arrival }
        return arrival
    }

    func forgetRelay(_ transfer: String) { relays.withLock { _ = $0.removeValue(forKey: transfer) } }

    /// The destination's side of a relayed transfer: one end of a socket pair is served like a connection
    /// to the peer port, the other end is pumped to the controller and back.
    private func serveRelayed(_ reception: Reception, down: InboundStream, controller: MessageConnection) async throws {
        let pair = try RelayTunnel.socketPair()
        let up: OutboundStream
        do {
            up = try await controller.openStream(purpose: TransferStream.relay, parameters: ["token": reception.expect.transfer])
        } catch {
            [pair.connection, pair.pump].forEach { close($0) }
            throw error
        }
        logger.info("transfer \(reception.expect.transfer): the controller relays it")
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await RelayTunnel.pump(pair.pump, up: up, down: down) }
            try await listener.serve(connectedSocket: pair.connection, serve: serve)
            try await group.waitForAll()
        }
    }

    /// Reports progress for the transfer, over `controller` (the source's) or the link `transfer.wait` came on.
    func progress(_ transfer: String, side: TransferProgress.Side, controller: MessageConnection?) -> TransferProgressReporter {
        let reception = self.reception(transfer)
        return TransferProgressReporter(transfer: transfer, side: side) { controller ?? reception?.controller.withLock { $0 } }
    }
}

/// The peer port, run as a service of the agent.
struct PeerPortService: Service {
    let transfers: Transfers
    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await transfers.listen() }
        } catch is CancellationError {
            return  // shutdown: the port closed and its sessions ended
        }
    }
}
