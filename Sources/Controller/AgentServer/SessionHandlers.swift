import Foundation
import Logging
import Protocol

/// Serves an enrolled device's connection: facts, metrics and heartbeats in; pings answered.
struct DeviceSessionHandler: MessageHandler {
    let deviceID: String
    let registry: DeviceRegistry
    let maximumFactsBytes: Int
    let logger: Logger

    func handleRequest(_ message: InboundMessage, on connection: MessageConnection) async throws -> any Codable & Sendable {
        await registry.heard(deviceID: deviceID, now: Date())
        switch message.header.type {
        case MessageType.ping:
            return Empty()
        case MessageType.streamOpen:
            // Only streams a request is waiting for (logs, a relayed transfer) are accepted; a relay stream
            // is waited for under the device that must open it.
            let open = try message.body(as: StreamOpen.self)
            let token = open.parameters["token"].map { open.purpose == TransferStream.relay ? VolumeTransfer.relayToken(device: deviceID, transfer: $0) : $0 }
            guard let token, registry.streams.isWaiting(for: token) else {
                throw HomelabError(.streamError, "nobody waits for a '\(open.purpose)' stream with that token")
            }
            let stream = try await connection.acceptStream(open)
            guard registry.streams.deliver(stream, token: token) else {
                throw HomelabError(.streamError, "the request for this '\(open.purpose)' stream went away")
            }
            return StreamOpened(credit: stream.window)
        default:
            throw HomelabError(.unknownType, "the controller does not serve '\(message.header.type)'")
        }
    }

    func handleEvent(_ message: InboundMessage, on connection: MessageConnection) async {
        do {
            switch message.header.type {
            case MessageType.facts:
                guard message.payload.readableBytes <= maximumFactsBytes else {
                    logger.warning("device \(deviceID) sent \(message.payload.readableBytes) bytes of facts; at most \(maximumFactsBytes) are kept")
                    return
                }
                try await registry.report(facts: message.body(as: DeviceFacts.self), deviceID: deviceID, now: Date())
            case MessageType.metrics:
                try await registry.report(metrics: message.body(as: MetricsSample.self), deviceID: deviceID, now: Date())
            case MessageType.stackProgress:
                await registry.publish(stack: try message.body(as: StackProgress.self), container: nil, deviceID: deviceID, now: Date())
            case MessageType.containerEvent:
                await registry.publish(stack: nil, container: try message.body(as: ContainerEvent.self), deviceID: deviceID, now: Date())
            case MessageType.transferProgress:
                await registry.heard(deviceID: deviceID, now: Date())
                registry.transfers.report(try message.body(as: TransferProgress.self), device: deviceID)
            case MessageType.backupProgress:
                await registry.publish(backup: try message.body(as: RunProgressEvent.self), deviceID: deviceID, now: Date())
            default:
                await registry.heard(deviceID: deviceID, now: Date())
            }
        } catch {
            logger.warning("device \(deviceID) sent a bad '\(message.header.type)': \(error)")
        }
    }

    func requestFailed(_ message: InboundMessage, error: any Error) async {
        logger.error("'\(message.header.type)' from device \(deviceID) failed: \(error)")
    }
}

/// Serves a connection without a certificate: only `enroll` and `ping`.
struct EnrollmentHandler: MessageHandler {
    let challenge: String
    let address: String?
    let enrollment: EnrollmentService
    let rate: RateLimiter
    let logger: Logger

    func handleRequest(_ message: InboundMessage, on connection: MessageConnection) async throws -> any Codable & Sendable {
        switch message.header.type {
        case MessageType.enroll:
            guard rate.allow(address ?? "unknown") else {
                logger.warning("refused an enrollment from \(address ?? "an unknown address"): too many attempts")
                throw HomelabError(.busy, "too many enrollment attempts from this address; retry in a minute")
            }
            return try await enrollment.enroll(message.body(as: EnrollRequest.self), challenge: challenge, address: address)
        case MessageType.ping:
            return Empty()
        default:
            throw HomelabError(.unauthorized, "'\(message.header.type)' needs a device certificate; enroll first")
        }
    }

    func handleEvent(_ message: InboundMessage, on connection: MessageConnection) async {}

    func requestFailed(_ message: InboundMessage, error: any Error) async {
        logger.error("'\(message.header.type)' from \(address ?? "an unknown address") failed: \(error)")
    }
}
