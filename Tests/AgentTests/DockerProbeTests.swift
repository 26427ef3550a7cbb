import NIOCore
import NIOHTTP1
import NIOPosix
import Protocol
import Testing
@testable import Agent

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

@Suite("Docker probe")
struct DockerProbeTests {
    /// Whether `make test` promised a running dockerd.
    static let dockerRequired = getenv("HOMELAB_REQUIRE_DOCKER").map { String(cString: $0) } == "1"
    /// The socket the real-daemon test asks.
    static let realSocket = DockerProbe.socketPath(explicit: nil, dockerHost: getenv("DOCKER_HOST").map { String(cString: $0) })
    /// Whether the real-daemon test runs: always when required, else only when a socket is there.
    static let realDaemonTestEnabled = dockerRequired || access(realSocket, F_OK) == 0

    /// A probe with a timeout far beyond any scheduling delay so that only the
    /// answer decides the outcome (the default 2 s was hit once by a loaded CI machine at suite start).
    static func probe(_ path: String) -> DockerProbe {
        DockerProbe(socketPath: path, timeout: .seconds(60))
    }

    @Test("the socket path comes from the parameter, else a unix DOCKER_HOST, else the default")
    func socketPathResolution() {
        #expect(DockerProbe.socketPath(explicit: "/run/user/1000/docker.sock", dockerHost: "unix:///other.sock") == "/run/user/1000/docker.sock")
        #expect(DockerProbe.socketPath(explicit: nil, dockerHost: "unix:///srv/lab/docker.sock") == "/srv/lab/docker.sock")
        #expect(DockerProbe.socketPath(explicit: nil, dockerHost: "tcp://10.0.0.2:2375") == "/var/run/docker.sock")
        #expect(DockerProbe.socketPath(explicit: nil, dockerHost: nil) == "/var/run/docker.sock")
        #expect(DockerProbe.socketPath(explicit: "", dockerHost: "unix://") == "/var/run/docker.sock")
    }

    @Test("a socket path that does not exist gives nil without waiting for the timeout")
    func missingSocket() async throws {
        // A timeout far longer than any scheduling hiccup: returning before it proves no waiting happened.
        let probe = DockerProbe(socketPath: "/tmp/homelab-no-such-dir/docker.sock", timeout: .seconds(60))
        let clock = ContinuousClock()

        let started = clock.now
        let status = await probe.status()

        #expect(status == nil)
        #expect(clock.now - started < .seconds(30))
        do {
            _ = try await probe.fetchStatus()
            Issue.record("a missing socket produced a status")
        } catch let error as DockerClientError {
            #expect(error.code == .unreachable)
        }
    }

    @Test("the real Docker daemon reports its version and counts", .enabled(if: realDaemonTestEnabled))
    func realDaemon() async throws {
        let status = try await Self.probe(Self.realSocket).fetchStatus()

        #expect(!status.version.isEmpty)
        #expect(status.apiVersion.split(separator: ".").count == 2)
        #expect(status.containersRunning >= 0 && status.containersPaused >= 0 && status.containersStopped >= 0)
        #expect(status.images >= 0)
    }

    @Test("an engine answering the Docker JSON gives the exact status")
    func fakeEngine() async throws {
        let server = try await FakeSocketServer.start(.http { uri in
            switch uri {
            case "/version": (200, #"{"Platform":{"Name":"Docker Engine - Community"},"Version":"28.2.2","ApiVersion":"1.50","MinAPIVersion":"1.24","Os":"linux","Arch":"arm64"}"#)
            case "/info": (200, #"{"ID":"abc","Containers":7,"ContainersRunning":4,"ContainersPaused":1,"ContainersStopped":2,"Images":12,"Driver":"overlay2"}"#)
            default: (404, #"{"message":"page not found"}"#)
            }
        })
        defer { server.stop() }

        let status = try await Self.probe(server.path).fetchStatus()

        #expect(status == DockerStatus(version: "28.2.2", apiVersion: "1.50", containersRunning: 4, containersPaused: 1, containersStopped: 2, images: 12))
    }

    @Test("a socket that answers with garbage gives nil", arguments: [
        FakeSocketServer.Behaviour.raw("garbage\r\n\r\n"),
        .raw("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"Version\":"),
        .closeAtOnce,
    ])
    func garbage(behaviour: FakeSocketServer.Behaviour) async throws {
        let server = try await FakeSocketServer.start(behaviour)
        defer { server.stop() }
        let probe = Self.probe(server.path)

        #expect(await probe.status() == nil)
        do {
            _ = try await probe.fetchStatus()
            Issue.record("a garbage reply was accepted")
        } catch let error as DockerClientError {
            #expect(error.code == .badResponse)
        }
    }

    @Test("a socket that accepts but never answers gives nil after the timeout")
    func silentSocket() async throws {
        let server = try await FakeSocketServer.start(.silent)
        defer { server.stop() }
        let probe = DockerProbe(socketPath: server.path, timeout: .milliseconds(300))
        let clock = ContinuousClock()

        let started = clock.now
        do {
            _ = try await probe.fetchStatus()
            Issue.record("a silent socket produced a status")
        } catch let error as DockerClientError {
            #expect(error.code == .timedOut)
        }
        // Only "it ended, and not before the timeout": upper bounds flake on shared machines.
        #expect(clock.now - started >= .milliseconds(300))
    }

    @Test("an engine answering an error status or other JSON gives nil with a clear error")
    func errorStatusAndWrongJSON() async throws {
        let failing = try await FakeSocketServer.start(.http { _ in (500, #"{"message":"boom"}"#) })
        defer { failing.stop() }
        let wrong = try await FakeSocketServer.start(.http { _ in (200, #"{"unexpected":true}"#) })
        defer { wrong.stop() }

        for (server, code) in [(failing, DockerClientError.Code.httpStatus), (wrong, .badBody)] {
            let probe = Self.probe(server.path)
            #expect(await probe.status() == nil)
            do {
                _ = try await probe.fetchStatus()
                Issue.record("\(code) was not reported")
            } catch let error as DockerClientError {
                #expect(error.code == code)
                #expect(error.description.contains(server.path))
            }
        }
    }
}

/// A unix-socket listener in a temporary directory that answers the way a test asks.
struct FakeSocketServer: Sendable {
    /// How the server treats each connection.
    enum Behaviour: Sendable, CustomTestStringConvertible {
        /// Writes these bytes and closes.
        case raw(String)
        /// Closes as soon as the connection is accepted.
        case closeAtOnce
        /// Reads and never answers.
        case silent
        /// Answers HTTP requests with the status and body for each URI.
        case http(@Sendable (String) -> (Int, String))

        var testDescription: String {
            switch self {
            case .raw(let text): "raw \(text.prefix(20).debugDescription)"
            case .closeAtOnce: "close at once"
            case .silent: "silent"
            case .http: "http"
            }
        }
    }

    /// The socket's path.
    let path: String
    /// The directory that holds the socket.
    let directory: String
    /// The listening channel.
    let channel: any Channel

    /// Binds a new server.
    static func start(_ behaviour: Behaviour) async throws -> FakeSocketServer {
        var template = Array("/tmp/homelab-docker-XXXXXX".utf8CString)
        let directory = String(cString: mkdtemp(&template)!)
        let path = directory + "/docker.sock"
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    switch behaviour {
                    case .http(let answer):
                        try child.pipeline.syncOperations.configureHTTPServerPipeline()
                        try child.pipeline.syncOperations.addHandler(HTTPAnswerHandler(answer: answer))
                    case .raw, .closeAtOnce, .silent:
                        try child.pipeline.syncOperations.addHandler(RawHandler(behaviour: behaviour))
                    }
                }
            }
            .bind(unixDomainSocketPath: path)
            .get()
        return FakeSocketServer(path: path, directory: directory, channel: channel)
    }

    /// Closes the listener and removes its directory.
    func stop() {
        channel.close(promise: nil)
        unlink(path)
        rmdir(directory)
    }
}

/// Writes fixed bytes, closes at once or stays silent.
private final class RawHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let behaviour: FakeSocketServer.Behaviour

    init(behaviour: FakeSocketServer.Behaviour) {
        self.behaviour = behaviour
    }

    func channelActive(context: ChannelHandlerContext) {
        switch behaviour {
        case .closeAtOnce:
            context.close(promise: nil)
        case .raw(let text):
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: text))).whenComplete { _ in channel.close(promise: nil) }
        case .silent, .http:
            break
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
}

/// Answers each HTTP request with the status and body the test gives for its URI.
private final class HTTPAnswerHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart
    let answer: @Sendable (String) -> (Int, String)
    var uri = ""

    init(answer: @escaping @Sendable (String) -> (Int, String)) {
        self.answer = answer
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            uri = head.uri
            // Docker answers 400 without a Host header; the fake does the same so the client must send one.
            if head.headers["Host"].isEmpty { uri = "missing host" }
        case .body:
            break
        case .end:
            let (status, body) = uri == "missing host" ? (400, "{}") : answer(uri)
            let response = HTTPResponseHead(
                version: .http1_1,
                status: HTTPResponseStatus(statusCode: status),
                headers: ["Content-Type": "application/json", "Content-Length": "\(body.utf8.count)", "Connection": "close"]
            )
            context.write(wrapOutboundOut(.head(response)), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil)
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
