import Logging
import NIOCore
import Protocol
import Synchronization

/// The destination's side of one peer connection: checks the ticket, shows the source its copies of the
/// volumes, and for each volume deletes what the source no longer has, unpacks the tar through the
/// guard and compares what it wrote with the source's manifest. When the connection ends short of the
/// last volume, the volumes it created go again.
final class TransferReceiver: MessageHandler {
    let device: String
    let transfers: Transfers
    let close: @Sendable () -> Void
    private struct State {
        var reception: Reception?
        var streams: [UInt32: InboundStream] = [:]
        var bases: [String: VolumeManifest] = [:]
        var created: [String] = []
        var received: [VolumeSummary] = []
        var receiving: Set<String> = []
        var streamBytes: UInt64 = 0
        var failure: HomelabError?
    }
    private let state = Mutex(State())

    init(device: String, transfers: Transfers, close: @escaping @Sendable () -> Void) {
        self.device = device
        self.transfers = transfers
        self.close = close
    }

    /// Whether `transfer.open` succeeded (the deadline of a new connection stops there).
    var isOpen: Bool { state.withLock { $0.reception != nil } }

    func handleRequest(_ message: InboundMessage, on connection: MessageConnection) async throws -> any Codable & Sendable {
        switch message.header.type {
        case MessageType.transferOpen: return try await open(message.body(as: TransferOpen.self))
        case MessageType.streamOpen:
            let open = try message.body(as: StreamOpen.self)
            guard isOpen, [TransferStream.manifest, TransferStream.volume].contains(open.purpose) else {
                throw HomelabError(.streamError, "no '\(open.purpose)' stream is expected here")
            }
            // Each volume needs two at a time; more would only hold memory (a window each).
            guard state.withLock({ $0.streams.count }) < 2 else {
                throw HomelabError(.streamError, "two streams wait already; send their transfer.volume first")
            }
            let stream = try await connection.acceptStream(open, window: Transfers.streamWindow)
            state.withLock { $0.streams[open.stream] = stream }
            return StreamOpened(credit: stream.window)
        case MessageType.transferBase: return try await base(message.body(as: TransferBase.self))
        case MessageType.transferVolume:
            let request = try message.body(as: TransferVolumeData.self)
            do {
                return try await receive(request)
            } catch {
                let failure = error as? HomelabError ?? HomelabError(.runtime, "\(error)")
                state.withLock { $0.failure = $0.failure ?? failure }
                // The source stops sending at once instead of waiting for credit that will not come.
                for stream in [request.manifest, request.data] {
                    try? await connection.sendEvent(MessageType.streamClose, StreamClose(stream: stream, error: failure))
                }
                throw failure
            }
        default: throw HomelabError(.unknownType, "'\(message.header.type)' is not served on the peer port")
        }
    }

    func handleEvent(_ message: InboundMessage, on connection: MessageConnection) async {}

    func requestFailed(_ message: InboundMessage, error: any Error) async {
        transfers.logger.error("'\(message.header.type)' from the source of a transfer failed: \(error)")
    }

    // MARK: Requests

    private func open(_ request: TransferOpen) async throws -> TransferOpened {
        guard !isOpen else { throw HomelabError(.invalidSpec, "this connection has opened its transfer already") }
        let expect: TransferExpect
        do {
            expect = try transfers.tickets.redeem(transfer: request.transfer, ticket: request.ticket, device: device)
        } catch {
            transfers.logger.warning("refused a transfer from device \(device): \(error.message)")
            throw error
        }
        guard let reception = transfers.reception(expect.transfer), reception.attach(abort: close) else {
            throw HomelabError(.transferCancelled, "transfer \(expect.transfer) was cancelled")
        }
        state.withLock { $0.reception = reception }
        var volumes: [TransferOpened.Volume] = []
        for volume in expect.volumes {
            let existing = try await transfers.volumes.find(volume.name)
            if let existing, existing.labels[VolumeDirectories.migrationLabel] != expect.migration {
                throw HomelabError(.volumeExists, "volume \(volume.name) exists on this device and was not made for migration \(expect.migration)")
            }
            volumes.append(.init(name: volume.name, hasBase: existing != nil))
        }
        transfers.logger.info("receiving transfer \(expect.transfer) from device \(device): \(expect.volumes.map(\.name))")
        return TransferOpened(volumes: volumes)
    }

    private func expected(_ volume: String) throws -> (Reception, TransferVolume) {
        guard let reception = state.withLock({ $0.reception }) else { throw HomelabError(.unauthorized, "open the transfer first") }
        guard let spec = reception.expect.volumes.first(where: { $0.name == volume }) else {
            throw HomelabError(.invalidSpec, "volume \(volume) is not part of transfer \(reception.expect.transfer)")
        }
        return (reception, spec)
    }

    private func base(_ request: TransferBase) async throws -> TransferBasePage {
        _ = try expected(request.volume)
        var manifest = state.withLock { $0.bases[request.volume] }
        if manifest == nil || request.page == 0 {
            guard let volume = try await transfers.volumes.find(request.volume) else { return TransferBasePage(entries: [], more: false) }
            manifest = try VolumeManifest(await ManifestWalker.walk(volume.mountpoint, hashing: true).entries)
            state.withLock { $0.bases[request.volume] = manifest }
        }
        return try Self.page(request.page, of: manifest!.entries)
    }

    /// Page `number` of `entries`: pages of about 4 MiB of JSON, cut at the same places every time.
    static func page(_ number: Int, of entries: [ManifestEntry]) throws -> TransferBasePage {
        var page = 0, bytes = 0, start = 0
        for (index, entry) in entries.enumerated() {
            bytes += try entry.line().count
            if bytes > 4 << 20 {
                if page == number { return TransferBasePage(entries: Array(entries[start...index]), more: index + 1 < entries.count) }
                (page, bytes, start) = (page + 1, 0, index + 1)
            }
        }
        return TransferBasePage(entries: page == number ? Array(entries[start...]) : [], more: false)
    }

    private func receive(_ request: TransferVolumeData) async throws -> VolumeSummary {
        let (reception, spec) = try expected(request.volume)
        guard let manifestStream = state.withLock({ $0.streams.removeValue(forKey: request.manifest) }),
              let dataStream = state.withLock({ $0.streams.removeValue(forKey: request.data) })
        else { throw HomelabError(.streamError, "volume \(request.volume): its manifest and volume streams are not open") }
        let fresh = state.withLock { state in
            !state.received.contains { $0.volume == request.volume } && state.receiving.insert(request.volume).inserted
        }
        guard fresh else { throw HomelabError(.invalidSpec, "volume \(request.volume) is received already, or being received") }
        let source = try await VolumeManifest.read(from: manifestStream)
        var volume = try await transfers.volumes.find(spec.name)
        var base: VolumeManifest?
        if let existing = volume {
            base = state.withLock { $0.bases[spec.name] }
            if base == nil { base = try VolumeManifest(await ManifestWalker.walk(existing.mountpoint, hashing: true).entries) }
        } else {
            let created = state.withLock { state in
                state.created.append(spec.name)
                return state.created
            }
            try transfers.markers.record(reception.expect.transfer, volumes: created)
            volume = try await transfers.volumes.create(spec, migration: reception.expect.migration)
        }
        let directory = volume!.mountpoint
        let plan = TransferPlan(source: source, base: base)
        try await VolumeDeletions.remove(plan.delete, below: directory)
        var tarGuard = TarStreamGuard(symlinks: .kept, existingSymlinks: plan.keptSymlinks)
        let progress = transfers.progress(reception.expect.transfer, side: .destination, controller: nil)
        do {
            try await transfers.tar().extract(into: directory) { writer in
                for try await chunk in dataStream {
                    for piece in try tarGuard.feed(chunk) { try await writer.write(piece) }
                    let total = self.state.withLock { state in
                        state.streamBytes += UInt64(chunk.readableBytes)
                        return state.streamBytes
                    }
                    await progress.report(volume: spec.name, phase: "streaming", bytes: total)
                }
                let rest = try tarGuard.finish()
                if !rest.isEmpty { try await writer.write(ByteBuffer(bytes: rest)) }
            }
        } catch let rejection as TarRejection {
            throw HomelabError(.invalidSpec, "volume \(spec.name): \(rejection.description)")
        }
        let bytes = state.withLock { $0.streamBytes }
        await progress.report(volume: spec.name, phase: "verifying", bytes: bytes)
        let written = try VolumeManifest(await ManifestWalker.walk(directory, hashing: true).entries)
        var summary = try written.summary(volume: spec.name)
        let differences = source.differences(written)
        if !differences.isEmpty {
            guard request.live else {
                throw HomelabError(.manifestMismatch, "volume \(spec.name) differs from the source after the copy: \(differences.joined(separator: "; "))")
            }
            summary.differences = differences
        }
        state.withLock { $0.received.append(summary) }
        return summary
    }

    // MARK: The end

    /// Called once the connection has ended: a transfer whose every volume arrived succeeds; any other
    /// removes the volumes it created and fails.
    func finish(connectionError: (any Error)?) async {
        let (reception, created, received, bytes, failure) = state.withLock { state in
            (state.reception, state.created, state.received, state.streamBytes, state.failure)
        }
        guard let reception else { return }  // refused before its ticket was good: nothing to settle
        let expected = reception.expect.volumes.count
        if received.count == expected, failure == nil, reception.outcome.outcome == nil {
            transfers.logger.info("transfer \(reception.expect.transfer) received: \(received.map(\.volume)), \(bytes) bytes")
            transfers.markers.clear(reception.expect.transfer)
            reception.finish(.success(TransferReport(volumes: received, streamBytes: bytes)))
            return
        }
        var left: [String] = []
        for name in created.reversed() {
            do {
                try await transfers.volumes.remove(name)
            } catch {
                left.append(name)
                transfers.logger.error("transfer \(reception.expect.transfer) failed and its volume \(name) could not be removed: \(error)")
            }
        }
        // What could not go now goes when the agent starts next.
        if left.isEmpty { transfers.markers.clear(reception.expect.transfer) } else { try? transfers.markers.record(reception.expect.transfer, volumes: left) }
        let reason = failure ?? HomelabError(.connectionClosed, "the source's connection ended after \(received.count) of \(expected) volumes"
                                              + (connectionError.map { ": \($0)" } ?? ""))
        transfers.logger.warning("transfer \(reception.expect.transfer) failed: \(reason.message); removed \(created)")
        reception.finish(.failure(reason))
    }
}
