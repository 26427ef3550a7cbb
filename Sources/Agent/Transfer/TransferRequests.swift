import Protocol

/// The controller's requests that a migration uses, served over the link: the transfer requests, the
/// size of a stack's volumes, the room for volumes, pulling a stack's images ahead of time, and the
/// controller's `relay` streams.
public struct TransferRequests: Sendable {
    /// The device's transfers.
    public let transfers: Transfers
    /// Pulls images for `stack.pull`.
    public let reconciler: StackReconciler

    /// Creates the handler.
    public init(transfers: Transfers, reconciler: StackReconciler) {
        self.transfers = transfers
        self.reconciler = reconciler
    }

    /// The reply to one of these requests, or nil when `message` is none of them.
    func handle(_ message: InboundMessage, on connection: MessageConnection) async throws -> (any Codable & Sendable)? {
        do {
            switch message.header.type {
            case MessageType.transferExpect: return try transfers.expect(message.body(as: TransferExpect.self))
            case MessageType.transferWait: return try await transfers.wait(message.body(as: TransferWait.self), controller: connection)
            case MessageType.transferSend: return try await transfers.send(message.body(as: TransferSend.self), controller: connection)
            case MessageType.transferCancel:
                transfers.cancel(try message.body(as: TransferCancel.self))
                return Empty()
            case MessageType.transferDiscard: return try await transfers.discard(message.body(as: TransferDiscard.self))
            case MessageType.volumeUsage: return try await usage(message.body(as: VolumeUsageRequest.self))
            case MessageType.storageFree: return try await transfers.volumes.storage(at: message.body(as: StorageRequest.self).path)
            case MessageType.stackPull:
                let request = try message.body(as: StackPull.self)
                return try await reconciler.pull(request.spec, credentials: request.credentials ?? []) { step in
                    try? await connection.sendEvent(MessageType.stackProgress, step)
                }
            case MessageType.streamOpen:
                let open = try message.body(as: StreamOpen.self)
                guard open.purpose == TransferStream.relay else { return nil }
                return try await transfers.acceptRelay(open, on: connection)
            default:
                return nil
            }
        } catch let error as DockerClientError {
            throw HomelabError(error.code == .notFound ? .notFound : .runtime, error.message)
        } catch let error as StackSpecError {
            throw HomelabError(.invalidSpec, error.description)
        }
    }

    /// Each volume asked for, measured by walking its directory (in order; a stack's by name).
    private func usage(_ request: VolumeUsageRequest) async throws -> [VolumeUsage] {
        var names = request.volumes ?? []
        if let project = request.project {
            names += try await transfers.volumes.runtime.volumes(labelled: [StackLabels.project: project]).map(\.name).sorted()
        }
        var usages: [VolumeUsage] = []
        for name in names {
            let volume = try await transfers.volumes.volume(name)
            let walk = try await ManifestWalker.walk(volume.mountpoint, hashing: false)
            usages.append(VolumeUsage(name: volume.name, labels: volume.labels, allocatedBytes: walk.allocatedBytes,
                                      contentBytes: walk.contentBytes, entries: walk.entries.count))
        }
        return usages
    }
}
