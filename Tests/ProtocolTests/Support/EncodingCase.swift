import Foundation
import NIOCore
import Protocol
import Testing

/// A Swift value paired with the vector whose bytes it must encode to.
struct EncodingCase: Sendable, CustomTestStringConvertible {
    var vector: String
    /// Encodes the value as a kind-1 payload.
    var encode: @Sendable () throws -> ByteBuffer
    /// Decodes the vector's payload back and says whether it equals the value.
    var decodesBack: @Sendable (InboundMessage) throws -> Bool
    var testDescription: String { vector }

    init<Body: Codable & Sendable & Equatable>(_ vector: String, _ envelope: Envelope<Body>) {
        self.vector = vector
        self.encode = { try WireCoding.encode(envelope) }
        self.decodesBack = { try $0.body(as: Body.self) == envelope.body }
    }

    static let all: [EncodingCase] = [
        EncodingCase("hello-message", Envelope(id: 0, type: MessageType.hello,
                                               body: Hello(role: .agent, software: "homelab-agent 0.1.0", capabilities: ["streams"]))),
        EncodingCase("stream-open-request", Envelope(id: 3, type: MessageType.streamOpen,
                                                     body: StreamOpen(stream: 1, purpose: "logs", parameters: ["container": "web"]))),
        EncodingCase("stream-open-reply", Envelope(id: 4, type: MessageType.reply, re: 3, body: StreamOpened(credit: 65536))),
        EncodingCase("error-reply", Envelope(id: 5, type: MessageType.error, re: 2,
                                             body: HomelabError(.unauthorized, "device is pending approval"))),
        EncodingCase("heartbeat-event", Envelope(id: 9, type: MessageType.heartbeat,
                                                 body: Heartbeat(time: Date(timeIntervalSince1970: 1_735_732_800)))),
        EncodingCase("version-mismatch-error", Envelope(id: 1, type: MessageType.error, body: versionMismatch())),
        EncodingCase("frame-split-across-reads", Envelope(id: 7, type: MessageType.ping, body: Empty())),
    ]

    /// The error a v2-v3 side reports to a v1 peer.
    static func versionMismatch() -> HomelabError {
        do {
            _ = try ProtocolVersionRange(min: 2, max: 3).negotiate(with: ProtocolVersionRange(min: 1, max: 1))
            return HomelabError(.internal, "negotiation unexpectedly succeeded")
        } catch let error as HomelabError {
            return error
        } catch {
            return HomelabError(.internal, "\(error)")
        }
    }
}
