import Protocol

/// The two devices of a transfer, asked over their links; an agent's error becomes a ``ControllerError``
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
        } catch let error as ProtocolError {
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
    static func failure(_ error: ProtocolError, device: String, doing: String) -> ControllerError {
        let message = "\(device), \(doing): \(error.message)"
        switch error.code {
        case .noSpace: return ControllerError(code: "no_space", status: 507, message: message)
        case .manifestMismatch: return ControllerError(code: "manifest_mismatch", status: 502, message: message)
        case .transferRefused, .unauthorized, .ticketUnknown, .ticketUsed, .ticketExpired, .ticketWrongDevice:
            return ControllerError(code: error.code == .unauthorized ? "transfer_refused" : error.code.rawValue, status: 502, message: message)
        case .peerUnreachable: return ControllerError(code: "peer_unreachable", status: 502, message: message)
        case .unsupportedFile: return ControllerError(code: "unsupported_file", status: 422, message: message)
        case .volumeExists: return ControllerError(code: "volume_exists", status: 409, message: message)
        case .notFound: return ControllerError(code: "not_found", status: 404, message: message)
        case .connectionClosed: return ControllerError(code: "device_disconnected", status: 503, message: "\(device) disconnected while \(doing): \(error.message)")
        case .transferCancelled: return ControllerError(code: "transfer_cancelled", status: 503, message: message)
        case .timeout: return ControllerError(code: "transfer_stalled", status: 504, message: message)
        default: return ControllerError(code: "transfer_failed", status: 502, message: message)
        }
    }
}
