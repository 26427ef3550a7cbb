import Foundation
import HummingbirdWebSocket
import Protocol

/// `GET /v1/events`: every registry event as one JSON text message, until the client closes.
enum EventStream {
    static func serve(hub: EventHub, inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        let events = hub.subscribe()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await event in events {
                    let data = try WireCoding.encoder.encode(event)
                    try await outbound.write(.text(String(decoding: data, as: UTF8.self)))
                }
            }
            group.addTask {
                // Reading until the client closes is what ends the subscription.
                for try await _ in inbound {}
            }
            try await group.next()
            group.cancelAll()
        }
    }
}
