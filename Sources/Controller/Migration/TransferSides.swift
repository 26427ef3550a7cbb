import Protocol

/// The two devices of a transfer, asked over their links; an agent's error becomes a ``HomelabError``
/// that keeps its code and says which device failed doing what.
struct TransferSides: Sendable {
    let sourceDevice: DeviceResource
    let destinationDevice: DeviceResource
    let registry: DeviceRegistry

    /// The longest a transfer request waits (the transfer's end; silence is watched separately).
    static let longest: Duration = .seconds(7 * 86_400)

    init(source: DeviceResource, destination: DeviceResource, registry: DeviceRegistry) {
        sourceDevice = source
        destinationDevice = destination
        self.registry = registry
    }

    /// Asks the source.
    func source<R: WireRequest>(_ request: R, _ doing: String, timeout: Duration = .seconds(600)) async throws -> R.Reply {
        try await ask(sourceDevice, request, doing, timeout: timeout)
    }

    /// Asks the destination.
    func destination<R: WireRequest>(_ request: R, _ doing: String, timeout: Duration = .seconds(60)) async throws -> R.Reply {
        try await ask(destinationDevice, request, doing, timeout: timeout)
    }

    /// The live link of a side.
    func connection(_ device: DeviceResource) async throws -> MessageConnection {
        try await registry.session(of: device.id).1
    }

    private func ask<R: WireRequest>(_ device: DeviceResource, _ request: R, _ doing: String, timeout: Duration) async throws -> R.Reply {
        let connection = try await connection(device)
        do {
            return try await connection.request(request, timeout: timeout)
        } catch let error as HomelabError {
            throw Self.failure(error, device: device.name, doing: doing)
        }
    }

    /// Tells both sides to stop and the destination to remove what it made for the migration; best effort.
    func abandon(_ transfer: String, migration: String, reason: String) async {
        let cancel = TransferCancel(transfer: transfer, reason: reason)
        _ = try? await source(cancel, "cancelling", timeout: .seconds(10))
        _ = try? await destination(cancel, "cancelling", timeout: .seconds(10))
        _ = try? await destination(TransferDiscard(migration: migration), "removing the copies", timeout: .seconds(60))
    }

    /// The API error for an agent's error: the transfer codes kept, the link's loss named as such.
    static func failure(_ error: HomelabError, device: String, doing: String) -> HomelabError {
        let message = "\(device), \(doing): \(error.message)"
        switch error.code {
        case .noSpace, .manifestMismatch, .transferRefused, .ticketUnknown, .ticketUsed, .ticketExpired, .ticketWrongDevice,
             .peerUnreachable, .unsupportedFile, .volumeExists, .notFound, .transferCancelled:
            return HomelabError(error.code, message)
        case .unauthorized: return HomelabError(.transferRefused, message)
        case .connectionClosed: return HomelabError(.deviceDisconnected, "\(device) disconnected while \(doing): \(error.message)")
        case .timeout: return HomelabError(.transferStalled, message)
        default: return HomelabError(.transferFailed, message)
        }
    }
}
