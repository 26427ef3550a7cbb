import Foundation
import Hummingbird
import NIOCore
import Protocol

/// How the API reads request bodies, as the context's `requestDecoder`: the wire's JSON (dates and keys as the
/// protocol writes them), at most the context's `maxUploadSize` bytes (a route sets its own with
/// ``APIRequestContext/limited(to:)``); a body that is too large or is not what the route takes is a `HomelabError`
/// (`payload_too_large`, `bad_request` naming the field) rather than Hummingbird's text.
public struct WireRequestDecoder: RequestDecoder {
    /// Creates the decoder.
    public init() {}

    public func decode<T: Decodable>(_ type: T.Type, from request: Request, context: some RequestContext) async throws -> T {
        let limit = context.maxUploadSize
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit { throw HomelabError.payloadTooLarge(limit: limit) }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw HomelabError.payloadTooLarge(limit: limit)
        }
        do {
            return try WireCoding.decoder.decode(type, from: Data(buffer.readableBytesView))
        } catch {
            throw HomelabError.badRequest("invalid request body: \(WireCoding.describe(error))")
        }
    }
}

/// How the API writes JSON answers, as the context's `responseEncoder` and through ``JSONResponse``: the wire's JSON.
public struct WireResponseEncoder: ResponseEncoder {
    /// Creates the encoder.
    public init() {}

    public func encode(_ value: some Encodable, from request: Request, context: some RequestContext) throws -> Response {
        try Self.response(value, status: .ok)
    }

    /// `value` as a JSON answer with `status`.
    static func response(_ value: some Encodable, status: HTTPResponse.Status) throws -> Response {
        let data = try WireCoding.encoder.encode(value)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// A JSON answer with a status other than 200, or from a handler that builds its `Response`.
enum JSONResponse {
    static func make<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        try WireResponseEncoder.response(value, status: status)
    }
}
