@testable import Controller
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// A real HTTP server on loopback that records every request it gets: the receiver end of webhook, ntfy, Gotify,
/// Discord and Slack channels. `/fail/…` answers 500, `/discord/…` 204 (as Discord does), the rest 200.
final class HTTPReceiver: Sendable {
    /// One request as it arrived.
    struct Received: Sendable {
        var path: String
        /// By lower-case name.
        var headers: [String: String]
        var body: Data

        var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] }
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// What arrived, in order.
    private final class Log: Sendable {
        let entries = Mutex<[Received]>([])
    }

    private let log: Log
    private let group: ServiceGroup
    private let runner: Task<Void, any Error>
    /// The port it listens on.
    let port: Int

    private init(log: Log, group: ServiceGroup, runner: Task<Void, any Error>, port: Int) {
        self.log = log
        self.group = group
        self.runner = runner
        self.port = port
    }

    /// Starts a receiver on 127.0.0.1 and a port the kernel picks.
    static func start() async throws -> HTTPReceiver {
        let log = Log()
        let router = Router()
        router.on("**", method: .post) { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }  // lower case: names are case-insensitive
            log.entries.withLock { $0.append(Received(path: request.uri.path, headers: headers, body: Data(buffer: body))) }
            if request.uri.path.hasPrefix("/fail") { return Response(status: .internalServerError, body: .init(byteBuffer: ByteBuffer(string: "boom"))) }
            if request.uri.path.hasPrefix("/discord") { return Response(status: .noContent) }
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "ok")))
        }
        let bound = BoundPort()
        var logger = Logger(label: "test.receiver")
        logger.logLevel = .critical
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { channel in bound.set(channel.localAddress?.port ?? 0) }, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let runner = Task { try await group.run() }
        return HTTPReceiver(log: log, group: group, runner: runner, port: try await bound.wait())
    }

    /// `http://127.0.0.1:PORT` + `path`.
    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    /// Every request so far.
    var requests: [Received] { log.entries.withLock { $0 } }

    /// The requests to `path`, waiting up to `timeout` until there are `count` of them.
    func wait(for path: String, count: Int = 1, timeout: Duration = .seconds(60)) async throws -> [Received] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let found = requests.filter { $0.path == path }
            if found.count >= count { return found }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestFailure("\(path) got \(requests.filter { $0.path == path }.count) of \(count) requests within \(timeout)")
    }

    /// Stops the server.
    func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await runner.value
    }
}
