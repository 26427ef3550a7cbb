import FoundationEssentials
import NIOCore

/// The JSON envelope of every kind-1 frame: `{"v":1,"id":N,"type":"…","re":N?,"body":{…}}`.
public struct Envelope<Body: Codable & Sendable>: Codable, Sendable {
    /// Protocol version the message is written in.
    public var v: Int
    /// Sender-unique message id, increasing per connection.
    public var id: UInt64
    /// Message type (see ``MessageType``).
    public var type: String
    /// For replies and errors: the id of the request answered.
    public var re: UInt64?
    /// The message itself.
    public var body: Body

    /// Creates an envelope.
    public init(v: Int = ProtocolVersionRange.current.max, id: UInt64, type: String, re: UInt64? = nil, body: Body) {
        self.v = v
        self.id = id
        self.type = type
        self.re = re
        self.body = body
    }

    private enum CodingKeys: String, CodingKey { case v, id, type, re, body }

    // Keys in the documented order (v, id, type, re, body); JSONEncoder may still reorder them,
    // which is why `WireCoding.encode` writes the envelope itself for the wire.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(v, forKey: .v)
        try container.encode(id, forKey: .id)
        try container.encode(type, forKey: .type)
        try container.encodeIfPresent(re, forKey: .re)
        try container.encode(body, forKey: .body)
    }
}

/// The envelope without its body: read first to learn how to decode the rest.
public struct EnvelopeHeader: Codable, Equatable, Sendable {
    /// Protocol version.
    public var v: Int
    /// Message id.
    public var id: UInt64
    /// Message type.
    public var type: String
    /// Request answered, for replies and errors.
    public var re: UInt64?
}

/// A decoded kind-1 frame: its header plus the raw bytes, from which the typed body is read.
public struct InboundMessage: Sendable {
    /// The envelope header.
    public let header: EnvelopeHeader
    /// The whole JSON text of the message.
    public let payload: ByteBuffer

    /// Parses the header of `payload`, failing with `malformedMessage` on anything but an envelope.
    public init(payload: ByteBuffer) throws {
        self.payload = payload
        do {
            self.header = try WireCoding.decoder.decode(EnvelopeHeader.self, from: Data(payload.readableBytesView))
        } catch {
            throw HomelabError(.malformedMessage, "not a message envelope: \(WireCoding.describe(error))")
        }
    }

    /// Decodes the body as `Body`, failing with `malformedMessage` and the path of the bad field.
    public func body<Body: Codable & Sendable>(as: Body.Type = Body.self) throws -> Body {
        do {
            return try WireCoding.decoder.decode(BodyOnly<Body>.self, from: Data(payload.readableBytesView)).body
        } catch {
            throw HomelabError(.malformedMessage, "bad body for '\(header.type)': \(WireCoding.describe(error))")
        }
    }

    private struct BodyOnly<B: Codable & Sendable>: Codable, Sendable {
        var body: B
    }
}

/// The encoder and decoder every wire and API message uses (ISO 8601 dates).
public enum WireCoding {
    /// Shared JSON encoder: dates as ISO 8601; key order unspecified (`encode(_:)` makes wire messages deterministic).
    public static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    /// Shared JSON decoder: dates as ISO 8601.
    public static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }

    /// Encodes a message into a kind-1 frame payload: envelope keys in the documented order
    /// (v, id, type, re, body), keys inside the body sorted, so the bytes are the same every time.
    public static func encode<Body>(_ envelope: Envelope<Body>) throws -> ByteBuffer {
        // Foundation's JSONEncoder writes object keys in hash order on Linux (a different order in
        // every process), so the envelope is written here by hand and the body with sorted keys.
        let encoder = self.encoder
        encoder.outputFormatting.insert(.sortedKeys)
        var buffer = ByteBuffer()
        buffer.writeString("{\"v\":\(envelope.v),\"id\":\(envelope.id),\"type\":")
        buffer.writeBytes(try encoder.encode(envelope.type))
        if let re = envelope.re {
            buffer.writeString(",\"re\":\(re)")
        }
        buffer.writeString(",\"body\":")
        buffer.writeBytes(try encoder.encode(envelope.body))
        buffer.writeString("}")
        return buffer
    }

    /// Describes a coding error by the field path and the problem, never by Swift type names.
    public static func describe(_ error: any Error) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            let joined = keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return joined.isEmpty ? "the document" : String(joined.drop(while: { $0 == "." }))
        }
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return "missing field '\(path(context.codingPath + [key]))'"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "wrong type at '\(path(context.codingPath))'"
        case DecodingError.dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not valid JSON" : "invalid value at '\(path(context.codingPath))'"
        default:
            return "\(error)"
        }
    }
}

/// An empty JSON object body, `{}`.
public struct Empty: Codable, Equatable, Sendable {
    /// Creates an empty body.
    public init() {}
}
