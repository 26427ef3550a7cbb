import Foundation
import Protocol
import Scheduler

/// Copies volumes from one device to another, agent to agent: checks the room at the destination,
/// hands the destination a one-time ticket and the source where to send with it, relays the stream
/// when the source finds no direct path, follows both sides' progress, and compares what the
/// destination wrote with the source's manifests. On any failure both sides are told to stop and the
/// destination keeps nothing made for the migration. No state is stored: a job that needs to survive
/// a restart keeps its own (the migration job).
public struct VolumeTransfer: Sendable {
    /// What to copy, and how.
    public struct Request: Sendable {
        /// Source device (name or id).
        public var source: String
        /// Destination device (name or id).
        public var destination: String
        /// The volumes, by engine name.
        public var volumes: [String]
        /// The migration the copies are labelled with (`io.homelab.migration`).
        public var migration: String
        /// Send only what differs from the destination's copy made for the same migration.
        public var incremental = false
        /// The volumes are in use: differences are reported, not a failure.
        public var live = false
        /// Relay through the controller when the destination's peer port cannot be reached.
        public var relay = true
        /// Seconds the source has to connect with its ticket.
        public var ticketLifetime = 60
        /// A transfer from which neither side reports for this long is given up.
        public var stallTimeout: Duration = .seconds(600)

        /// Creates a request.
        public init(source: String, destination: String, volumes: [String], migration: String) {
            self.source = source
            self.destination = destination
            self.volumes = volumes
            self.migration = migration
        }
    }

    /// What a transfer did.
    public struct Outcome: Sendable {
        /// The transfer's id.
        public var transfer: String
        /// How the data went.
        public var route: TransferRoute
        /// The source's manifests (of what it read).
        public var source: TransferReport
        /// The destination's manifests (of what it wrote).
        public var destination: TransferReport
    }

    /// The room a copy needs at the destination, as a multiple of the volumes' size on disk.
    public static let spaceFactor = 1.2

    let registry: DeviceRegistry

    /// Creates a coordinator over the registry's agent links.
    public init(registry: DeviceRegistry) { self.registry = registry }

    /// The rendezvous token of the relay stream `device` opens for `transfer`.
    static func relayToken(device: String, transfer: String) -> String { "relay/\(device)/\(transfer)" }

    /// Runs the transfer `id`; throws a ``HomelabError`` whose code says what failed.
    public func run(_ request: Request, id: String = UUID().uuidString.lowercased()) async throws -> Outcome {
        let source = try await registry.get(request.source), destination = try await registry.get(request.destination)
        guard source.id != destination.id else { throw HomelabError.badRequest("source and destination are both \(source.name)") }
        guard !request.volumes.isEmpty, Set(request.volumes).count == request.volumes.count else {
            throw HomelabError.badRequest("volumes must name each volume once, and at least one")
        }
        for name in request.volumes where !TransferVolume.isValidName(name) {
            throw HomelabError.badRequest("'\(name)' is not a volume name")
        }
        let sides = TransferSides(source: source, destination: destination, registry: registry)
        let usage = try await sides.source(VolumeUsageRequest(volumes: request.volumes), "measuring the volumes")
        if !request.incremental {
            try await MigrationRoom.measure(usage, at: destination, registry: registry).refuseUnlessFits()
        }
        let ticket = Secrets.randomHex(bytes: 32)
        let expected = try await sides.destination(TransferExpect(
            transfer: id, ticket: ticket, source: source.id, volumes: usage.map { TransferVolume(name: $0.name, labels: $0.labels) },
            migration: request.migration, incremental: request.incremental, expiresIn: request.ticketLifetime), "expecting the transfer")
        let relayTokens = [source.id, destination.id].map { Self.relayToken(device: $0, transfer: id) }
        if request.relay { relayTokens.forEach(registry.streams.register) }
        registry.transfers.begin(id, source: source.id, destination: destination.id)
        defer {
            registry.transfers.end(id)
            relayTokens.forEach(registry.streams.cancel)
        }
        let send = TransferSend(transfer: id, ticket: ticket, destination: destination.id, host: destination.address ?? "", port: expected.port,
                                volumes: request.volumes, incremental: request.incremental, live: request.live, relay: request.relay)
        do {
            let (sent, received) = try await follow(id, send: send, sides: sides, request: request)
            if !request.live {
                for (ours, theirs) in zip(sent.volumes, received.volumes) where ours.digest != theirs.digest {
                    throw HomelabError(.manifestMismatch, "volume \(ours.volume): \(destination.name) wrote a manifest \(theirs.digest) that is not \(source.name)'s \(ours.digest)")
                }
            }
            return Outcome(transfer: id, route: sent.route ?? .direct, source: sent, destination: received)
        } catch {
            // Told even when this task was cancelled: the agents must stop, the destination keep nothing.
            await Task { await sides.abandon(id, migration: request.migration, reason: "\(error)") }.value
            throw error
        }
    }

    /// What one of the concurrent parts of a running transfer ended with.
    private enum Part: Sendable {
        case sent(TransferReport)
        case received(TransferReport)
        case other
    }

    /// Runs the source's send and the destination's wait side by side (with the relay, and a watch for
    /// silence), until both have reported; the first failure ends the rest.
    private func follow(_ id: String, send: TransferSend, sides: TransferSides, request: Request) async throws -> (TransferReport, TransferReport) {
        try await withThrowingTaskGroup(of: Part.self) { group in
            group.addTask { .received(try await sides.destination(TransferWait(transfer: id), "receiving", timeout: TransferSides.longest)) }
            group.addTask { .sent(try await sides.source(send, "sending", timeout: TransferSides.longest)) }
            if request.relay {
                group.addTask {
                    try await TransferRelay(registry: registry, transfer: id).bridge(sides)
                    return .other
                }
            }
            group.addTask {
                try await watch(id, silence: request.stallTimeout, sides: sides)
                return .other
            }
            defer { group.cancelAll() }
            var sent: TransferReport?, received: TransferReport?
            while let part = try await group.next() {
                switch part {
                case .sent(let report): sent = report
                case .received(let report): received = report
                case .other: continue
                }
                if let sent, let received { return (sent, received) }
            }
            throw HomelabError(.transferFailed, "the transfer ended without both sides reporting")
        }
    }

    /// Fails once neither side has reported for `silence`.
    private func watch(_ id: String, silence: Duration, sides: TransferSides) async throws {
        while true {
            try await Task.sleep(for: .seconds(1))
            guard let entry = registry.transfers.entry(id) else { return }
            if ContinuousClock.now - entry.heard > silence {
                throw HomelabError(.transferStalled, "neither \(sides.sourceDevice.name) nor \(sides.destinationDevice.name) reported progress for \(silence)")
            }
        }
    }
}
