import Protocol

/// Relays a transfer whose source cannot reach the destination's peer port: the bytes of the agents'
/// TLS session (ciphertext; the controller reads none of it) go up one agent's link and down the
/// other's, in both directions, each hop with its own stream credit, so nothing piles up here.
struct TransferRelay: Sendable {
    let registry: DeviceRegistry
    let transfer: String

    /// Waits for the source to ask for the relay (it may never: it found the direct path), then carries
    /// the bytes both ways until the session ends; cancelled with the transfer.
    func bridge(_ sides: TransferSides) async throws {
        let fromSource = try await registry.streams.wait(
            for: VolumeTransfer.relayToken(device: sides.sourceDevice.id, transfer: transfer), timeout: TransferSides.longest)
        let toDestination = try await sides.connection(sides.destinationDevice)
            .openStream(purpose: TransferStream.relay, parameters: ["token": transfer])
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await Self.carry(fromSource, to: toDestination) }
            let fromDestination = try await registry.streams.wait(
                for: VolumeTransfer.relayToken(device: sides.destinationDevice.id, transfer: transfer), timeout: .seconds(60))
            let toSource = try await sides.connection(sides.sourceDevice).openStream(purpose: TransferStream.relay, parameters: ["token": transfer])
            group.addTask { try await Self.carry(fromDestination, to: toSource) }
            try await group.waitForAll()
        }
    }

    /// Copies one direction; a failure on either hop ends the other with it.
    private static func carry(_ inbound: InboundStream, to outbound: OutboundStream) async throws {
        do {
            for try await chunk in inbound { try await outbound.write(chunk) }
            try await outbound.finish()
        } catch {
            try? await outbound.finish(error: HomelabError(.connectionClosed, "the relayed connection ended: \(error)"))
            throw error
        }
    }
}
