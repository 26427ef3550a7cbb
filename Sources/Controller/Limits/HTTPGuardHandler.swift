import Foundation
import NIOCore
import NIOHTTP1
import Protocol

/// Watches the API's HTTP/1 exchange right after the request decoder, whatever the framework does later:
/// - a connection must deliver a complete request head within `idle` of opening (TLS handshake included)
///   or of its previous answer, so idle keep-alives, slowloris heads and TLS without a request are closed;
/// - a request body must arrive within `body` of its head;
/// - a head over the decoder's limits is answered 431, any other malformed request 400, both with an error body;
/// - a refused WebSocket upgrade is answered with the API's own error (401, 403, 429…) instead of an empty 400.
/// Once a connection switches to WebSocket the handler passes everything through untouched.
final class HTTPGuardHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// The deadlines.
    struct Timeouts: Sendable {
        /// For a request head, from the connection's start or its previous answer.
        var idle: TimeAmount
        /// For a request body, from its head.
        var body: TimeAmount
    }

    private let timeouts: Timeouts
    private var timer: Scheduled<Void>?
    private var readingBody = false
    private var unanswered = 0
    /// The connection switched protocols (101): what passes now is WebSocket data, not HTTP.
    private var upgraded = false
    /// Set by ``UpgradeRefusal`` when the upgrade request was refused by the API.
    var refusal: HomelabError?

    init(timeouts: Timeouts) { self.timeouts = timeouts }

    func handlerAdded(context: ChannelHandlerContext) { arm(context, timeouts.idle) }

    func handlerRemoved(context: ChannelHandlerContext) { cancel() }

    func channelInactive(context: ChannelHandlerContext) {
        cancel()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if upgraded { return context.fireChannelRead(data) }
        switch unwrapInboundIn(data) {
        case .head:
            unanswered += 1
            readingBody = true
            arm(context, timeouts.body)
        case .body:
            break
        case .end:
            readingBody = false
            cancel()
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if upgraded { return context.write(data, promise: promise) }
        switch unwrapOutboundIn(data) {
        case .head(let head) where head.status == .switchingProtocols:
            // Removing this handler while the upgrade is under way stalls the upgrade: it stays, inert.
            cancel()
            upgraded = true
            context.write(data, promise: promise)
        case .head(let head) where head.status == .badRequest && refusal != nil:
            let refusal = self.refusal!
            self.refusal = nil
            var (replacement, body) = Self.errorResponse(refusal, version: head.version)
            replacement.headers.replaceOrAdd(name: "Connection", value: "close")
            context.write(wrapOutboundOut(.head(replacement)), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: promise)
        case .end:
            unanswered -= 1
            if unanswered <= 0 && !readingBody {
                unanswered = 0
                arm(context, timeouts.idle)
            }
            context.write(data, promise: promise)
        default:
            context.write(data, promise: promise)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard !upgraded, let parserError = error as? HTTPParserError else { return context.fireErrorCaught(error) }
        let tooLarge: Bool
        if case .headerOverflow = parserError { tooLarge = true } else { tooLarge = false }
        let refusal = tooLarge
            ? HomelabError(.headersTooLarge, "the request's header fields are larger or more numerous than the API accepts")
            : HomelabError(.badRequest, "not a valid HTTP/1.1 request")
        var (head, body) = Self.errorResponse(refusal, version: .http1_1)
        head.headers.replaceOrAdd(name: "Connection", value: "close")
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in loopBound.value.close(promise: nil) }
    }

    /// An error answer as the API writes it, with its security headers.
    static func errorResponse(_ error: HomelabError, version: HTTPVersion) -> (HTTPResponseHead, ByteBuffer) {
        let json = (try? WireCoding.encoder.encode(APIErrorResponse(error))) ?? Data()
        var headers = HTTPHeaders([("Content-Type", "application/json"), ("Content-Length", String(json.count)),
                                   ("Strict-Transport-Security", "max-age=31536000"), ("X-Content-Type-Options", "nosniff"),
                                   ("Cache-Control", "no-store")])
        if error.httpStatus == 401 { headers.add(name: "WWW-Authenticate", value: "Bearer realm=\"homelab\"") }
        return (HTTPResponseHead(version: version, status: .init(statusCode: error.httpStatus), headers: headers), ByteBuffer(bytes: json))
    }

    private func arm(_ context: ChannelHandlerContext, _ after: TimeAmount) {
        cancel()
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: after) { loopBound.value.close(promise: nil) }
    }

    private func cancel() {
        timer?.cancel()
        timer = nil
    }
}

/// Hands the API's refusal of a WebSocket upgrade to the connection's ``HTTPGuardHandler``, which answers with
/// it: the upgrade machinery would otherwise answer every refusal with an empty 400.
enum UpgradeRefusal {
    /// Records `error` as the answer to the upgrade request on `channel`.
    static func stash(_ error: HomelabError, on channel: any Channel) async {
        try? await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.handler(type: HTTPGuardHandler.self).refusal = error
        }.get()
    }
}
