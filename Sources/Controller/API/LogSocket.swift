import Logging
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import Protocol

/// `GET /v1/deployments/{name}/logs/ws`: a deployment's logs over a WebSocket, one JSON text message per
/// line. A client that stops reading stops the writes here, which stops the credit of the agent's
/// stream: nothing is buffered without bound on the way.
enum LogSocket {
    static func serve(_ deployments: DeploymentService, name: String, query: [String: String], outbound: WebSocketOutboundWriter,
                      logger: Logger) async throws {
        let body: ResponseBody
        do {
            body = try await deployments.logs(name, component: query["component"], service: query["service"],
                                              tail: try StackRoutes.tail(query["tail"]), follow: try StackRoutes.flag(query["follow"].map { Substring($0) }, "follow"))
        } catch {
            let failure = APIErrorResponse(HomelabError.shown(error, logger: logger))
            try await outbound.write(.text(String(decoding: try WireCoding.encoder.encode(failure), as: UTF8.self)))
            try await outbound.close(.unexpectedServerError, reason: nil)
            return
        }
        try await body.write(Writer(outbound: outbound))
    }

    /// Writes each complete line of the body as one text message.
    struct Writer: ResponseBodyWriter {
        let outbound: WebSocketOutboundWriter
        var pending = ByteBuffer()

        mutating func write(_ buffer: ByteBuffer) async throws {
            var buffer = buffer
            pending.writeBuffer(&buffer)
            while let newline = pending.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
                let length = newline - pending.readerIndex
                let line = pending.readString(length: length) ?? ""
                pending.moveReaderIndex(forwardBy: 1)
                if !line.isEmpty { try await outbound.write(.text(line)) }
            }
            pending.discardReadBytes()
        }

        consuming func finish(_ trailingHeaders: HTTPFields?) async throws {
            if pending.readableBytes > 0, let rest = pending.readString(length: pending.readableBytes) { try await outbound.write(.text(rest)) }
        }
    }
}
