import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// A request as the test server saw it.
struct TestRequest: Sendable {
    var method: String
    var path: String
    var authorization: String?
    var body: String
}

/// What the test server answers.
struct TestResponse: Sendable {
    var status: Int
    var body: String

    static func json(_ body: String, status: Int = 200) -> TestResponse { TestResponse(status: status, body: body) }
}

/// An HTTPS server on 127.0.0.1 with an ephemeral port, presenting a leaf + CA chain, answering from a closure.
final class TestTLSServer: Sendable {
    let channel: any Channel
    let port: Int

    private init(channel: any Channel) {
        self.channel = channel
        self.port = channel.localAddress?.port ?? 0
    }

    static func start(
        certificates: TestCertificates,
        respond: @escaping @Sendable (TestRequest) -> TestResponse
    ) async throws -> TestTLSServer {
        let configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: certificates.chain.map { .certificate($0) },
            privateKey: .privateKey(certificates.key)
        )
        let context = try NIOSSLContext(configuration: configuration)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(RespondingHandler(respond: respond))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        return TestTLSServer(channel: channel)
    }

    var url: String { "https://127.0.0.1:\(port)" }

    func stop() async throws {
        try await channel.close()
    }
}

private final class RespondingHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let respond: @Sendable (TestRequest) -> TestResponse
    private var head: HTTPRequestHead?
    private var body = ""

    init(respond: @escaping @Sendable (TestRequest) -> TestResponse) {
        self.respond = respond
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = ""
        case .body(let buffer):
            body += String(buffer: buffer)
        case .end:
            guard let head else { return }
            let answer = respond(TestRequest(method: head.method.rawValue, path: head.uri, authorization: head.headers.first(name: "Authorization"), body: body))
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "application/json")
            headers.add(name: "Content-Length", value: "\(answer.body.utf8.count)")
            let status = HTTPResponseStatus(statusCode: answer.status)
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
            if !answer.body.isEmpty {
                context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: answer.body)))), promise: nil)
            }
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            self.head = nil
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A client that rejects our certificate closes mid-handshake; that is what some tests want.
        context.close(promise: nil)
    }
}
