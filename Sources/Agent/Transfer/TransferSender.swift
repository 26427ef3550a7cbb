import FoundationEssentials
import NIOCore
import Protocol
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The source's side of one transfer: connects to the destination (its peer port, else through the
/// controller when allowed), presents the ticket, and for each volume walks it into a manifest, asks
/// the destination for its copy when incremental, and streams the manifest and a tar of what differs.
struct TransferSender: Sendable {
    let transfers: Transfers
    let request: TransferSend
    let controller: MessageConnection

    /// Sends every volume; the report holds the source's manifest of each.
    func run() async throws -> TransferReport {
        guard let tls = try transfers.tls.contexts() else { throw HomelabError(.unauthorized, "this device is not enrolled") }
        let progress = transfers.progress(request.transfer, side: .source, controller: controller)
        await progress.report(volume: nil, phase: "connecting", bytes: 0)
        do {
            let channel = try await PeerConnection.dial(host: request.host, port: request.port, tls: tls, destination: request.destination)
            return try await session(channel, route: .direct, progress: progress)
        } catch let error as HomelabError where error.code == .peerUnreachable && request.relay {
            transfers.logger.notice("transfer \(request.transfer): \(error.message); asking the controller to relay")
            return try await relayed(tls: tls, progress: progress)
        }
    }

    /// The same session over a socket pair whose other end goes through the controller.
    private func relayed(tls: PeerTLS, progress: TransferProgressReporter) async throws -> TransferReport {
        let arrival = transfers.relayArrival(for: request.transfer)
        defer { transfers.forgetRelay(request.transfer) }
        let pair = try RelayTunnel.socketPair()
        let up: OutboundStream
        do {
            up = try await controller.openStream(purpose: TransferStream.relay, parameters: ["token": request.transfer])
        } catch {
            [pair.connection, pair.pump].forEach { close($0) }
            throw HomelabError(.peerUnreachable, "no direct path to the destination, and the controller does not relay: \(error)")
        }
        return try await withThrowingTaskGroup(of: TransferReport?.self) { group in
            group.addTask {
                let down: InboundStream
                do {
                    down = try await arrival.value()
                } catch {
                    close(pair.pump)
                    throw error
                }
                try await RelayTunnel.pump(pair.pump, up: up, down: down)
                return nil
            }
            defer { group.cancelAll() }
            let channel = try await PeerConnection.dial(socket: pair.connection, tls: tls, destination: request.destination)
            return try await session(channel, route: .relay, progress: progress)
        }
    }

    private func session(_ channel: PeerConnection.Channel, route: TransferRoute, progress: TransferProgressReporter) async throws -> TransferReport {
        let raw = channel.channel
        return try await withTaskCancellationHandler {
            try await channel.executeThenClose { inbound, outbound in
                var iterator = inbound.makeAsyncIterator()
                let connection = try await MessageConnection.handshake(ours: PeerConnection.hello, inbound: &iterator, outbound: outbound, dialer: true)
                return try await withThrowingTaskGroup(of: TransferReport.self) { group in
                    group.addTask {
                        // Done (or failed): closing ends the reader below.
                        defer { raw.close(promise: nil) }
                        return try await send(over: connection, route: route, progress: progress)
                    }
                    var ended: (any Error)?
                    do {
                        try await connection.run(inbound: &iterator, handler: SourcePeerHandler())
                    } catch {
                        ended = error
                    }
                    do {
                        return try await group.next()!
                    } catch let error as HomelabError where error.code == .connectionClosed && ended != nil {
                        // The destination's last word says more than "closed".
                        throw ended!
                    }
                }
            }
        } onCancel: {
            raw.close(promise: nil)
        }
    }

    private func send(over connection: MessageConnection, route: TransferRoute, progress: TransferProgressReporter) async throws -> TransferReport {
        let opened = try await connection.request(TransferOpen(transfer: request.transfer, ticket: request.ticket))
        var summaries: [VolumeSummary] = []
        let sent = ByteCount()
        for name in request.volumes {
            let volume = try await transfers.volumes.volume(name)
            await progress.report(volume: name, phase: "manifest", bytes: sent.value)
            let manifest = try VolumeManifest(await ManifestWalker.walk(volume.mountpoint, hashing: true).entries)
            var base: VolumeManifest?
            if request.incremental, opened.volumes.first(where: { $0.name == name })?.hasBase == true {
                base = try await fetchBase(name, over: connection)
            }
            let plan = TransferPlan(source: manifest, base: base)
            let list = try writeList(plan.send, volume: name)
            defer { unlink(list) }
            let manifestStream = try await connection.openStream(purpose: TransferStream.manifest, parameters: ["volume": name])
            let dataStream = try await connection.openStream(purpose: TransferStream.volume, parameters: ["volume": name])
            let reply = try await withThrowingTaskGroup(of: VolumeSummary?.self) { group in
                group.addTask {
                    try await connection.request(TransferVolumeData(volume: name, manifest: manifestStream.id, data: dataStream.id, live: request.live),
                                                 timeout: .seconds(7 * 86_400))
                }
                // Written beside the request: a destination that fails answers at once, which ends this too.
                group.addTask {
                    do {
                        try await manifest.write(to: manifestStream)
                        var corruptor = TransferFaults(transfers.settings.corruption, volume: name)
                        try await transfers.tar().create(in: volume.mountpoint, listFile: list, live: request.live) { chunk in
                            try await dataStream.write(corruptor.pass(chunk))
                            await progress.report(volume: name, phase: "streaming", bytes: sent.add(chunk.readableBytes))
                        }
                        try await dataStream.finish()
                    } catch {
                        try? await dataStream.finish(error: HomelabError(.runtime, "the source failed: \(error)"))
                        throw error
                    }
                    await progress.report(volume: name, phase: "verifying", bytes: sent.value)
                    return nil
                }
                var summary: VolumeSummary?
                while let next = try await group.next() {
                    if let next { summary = next }
                }
                guard let summary else { throw HomelabError(.internal, "volume \(name): no reply from the destination") }
                return summary
            }
            let ours = try manifest.summary(volume: name)
            if !request.live, reply.digest != ours.digest {
                throw HomelabError(.manifestMismatch, "volume \(name): the destination's manifest \(reply.digest) is not the source's \(ours.digest)")
            }
            summaries.append(ours)
        }
        await progress.report(volume: nil, phase: "done", bytes: sent.value)
        return TransferReport(volumes: summaries, route: route, streamBytes: sent.value)
    }

    /// The destination's manifest of its copy of `volume`, page by page.
    private func fetchBase(_ volume: String, over connection: MessageConnection) async throws -> VolumeManifest {
        var entries: [ManifestEntry] = []
        var page = 0
        while true {
            // Page 0 walks the destination's copy, which takes as long as reading it.
            let reply = try await connection.request(TransferBase(volume: volume, page: page), timeout: .seconds(3600))
            entries += reply.entries
            guard reply.more else { break }
            page += 1
        }
        return try VolumeManifest(entries)
    }

    /// The paths for tar, NUL-separated and `./`-relative, in a file of the scratch directory.
    private func writeList(_ paths: [String], volume: String) throws -> String {
        let file = "\(transfers.scratchDirectory)/\(Self.listPrefix)\(request.transfer)-\(volume).list"
        var bytes: [UInt8] = []
        for path in paths {
            bytes += Array((path == "." ? "." : "./" + path).utf8)
            bytes.append(0)
        }
        do {
            try StateFiles.write(bytes, to: file, mode: 0o600)
        } catch {
            throw HomelabError(.runtime, "volume \(volume): \(error.message)")
        }
        return file
    }
}

extension TransferSender {
    static let listPrefix = "transfer-"

    /// Removes the list files of sends an agent stopped during.
    static func removeLeftoverLists(in directory: String) {
        guard let handle = opendir(directory) else { return }
        defer { closedir(handle) }
        while let item = readdir(handle) {
            let name = withUnsafeBytes(of: item.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name.hasPrefix(listPrefix), name.hasSuffix(".list") { unlink(directory + "/" + name) }
        }
    }
}

/// Bytes counted by several tasks.
final class ByteCount: Sendable {
    private let count = Mutex<UInt64>(0)

    /// The count.
    var value: UInt64 { count.withLock { $0 } }

    /// Adds `bytes`; returns the new count.
    func add(_ bytes: Int) -> UInt64 {
        count.withLock { count in
            count += UInt64(bytes)
            return count
        }
    }
}

/// On a peer connection the destination asks the source nothing.
struct SourcePeerHandler: MessageHandler {
    func handleRequest(_ message: InboundMessage, on connection: MessageConnection) async throws -> any Codable & Sendable {
        throw HomelabError(.unknownType, "the source of a transfer serves no '\(message.header.type)'")
    }

    func handleEvent(_ message: InboundMessage, on connection: MessageConnection) async {}

    // It throws only HomelabErrors: nothing is left to log.
    func requestFailed(_ message: InboundMessage, error: any Error) async {}
}
