import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Protocol
import Synchronization

/// Reads an API GET route in process, as the CLI would over HTTPS, for pages whose data belongs to a route
/// another part of the controller owns (the metrics history). The caller has checked the session already.
struct APIReader: Sendable {
    let responder: RouterResponder<APIRequestContext>

    /// The route's answer at `uri` (path and query), decoded; an API error is thrown as the route threw it.
    func get<T: Decodable>(_ uri: String, as type: T.Type, context: APIRequestContext) async throws -> T {
        let request = Request(head: HTTPRequest(method: .get, scheme: "https", authority: "controller", path: uri), body: .init(buffer: ByteBuffer()))
        let response = try await responder.respond(to: request, context: context)
        let collector = Collector()
        try await response.body.write(collector)
        guard response.status == .ok else {
            throw HomelabError(.internal, "\(uri) answered \(response.status.code)")
        }
        return try WireCoding.decoder.decode(type, from: collector.buffer.withLock { Data($0.readableBytesView) })
    }

    /// Gathers a response body.
    final class Collector: ResponseBodyWriter, Sendable {
        let buffer = Mutex(ByteBuffer())
        func write(_ buffer: ByteBuffer) async throws {
            var buffer = buffer
            self.buffer.withLock { _ = $0.writeBuffer(&buffer) }
        }
        func finish(_ trailingHeaders: HTTPFields?) async throws {}
    }
}
