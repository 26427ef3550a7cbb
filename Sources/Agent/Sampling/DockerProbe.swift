import FoundationEssentials
import Logging
import NIOCore
import NIOPosix
import Protocol

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Asks the local Docker engine for its version and container counts.
public struct DockerProbe: Sendable {
    /// Where Docker listens unless `DOCKER_HOST` says otherwise.
    public static let defaultSocketPath = "/var/run/docker.sock"

    /// The client the probe asks through.
    public var client: DockerHTTPClient
    /// Where the probe says why Docker did not answer.
    public var logger: Logger

    /// Creates a probe for `socketPath`, else `DOCKER_HOST` (`unix://` only), else the default socket.
    public init(
        socketPath: String? = nil,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        timeout: TimeAmount = .seconds(2),
        logger: Logger = Logger(label: "homelab.agent.docker-probe")
    ) {
        let environment = getenv("DOCKER_HOST").map { String(cString: $0) }
        let path = Self.socketPath(explicit: socketPath, dockerHost: environment)
        self.client = DockerHTTPClient(socketPath: path, eventLoopGroup: eventLoopGroup, timeout: timeout)
        self.logger = logger
    }

    /// The socket to use: the explicit path, else a `unix://` `DOCKER_HOST`, else the default.
    public static func socketPath(explicit: String?, dockerHost: String?) -> String {
        if let explicit, !explicit.isEmpty { return explicit }
        // A tcp:// or ssh:// DOCKER_HOST is a remote engine, not this device's, so the local default applies.
        if let dockerHost, dockerHost.hasPrefix("unix://"), dockerHost.count > "unix://".count {
            return String(dockerHost.dropFirst("unix://".count))
        }
        return defaultSocketPath
    }

    /// The engine's status, or `nil` when no engine answers properly within the timeout.
    public func status() async -> DockerStatus? {
        do {
            return try await fetchStatus()
        } catch {
            logger.debug("Docker is not available", metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// The engine's status from `GET /version` and `GET /info`, asked at the same time.
    public func fetchStatus() async throws -> DockerStatus {
        async let version = fetch(VersionReply.self, "/version")
        async let info = fetch(InfoReply.self, "/info")
        let (versionReply, infoReply) = try await (version, info)
        return DockerStatus(
            version: versionReply.version,
            apiVersion: versionReply.apiVersion,
            containersRunning: infoReply.containersRunning,
            containersPaused: infoReply.containersPaused,
            containersStopped: infoReply.containersStopped,
            images: infoReply.images
        )
    }

    /// One decoded JSON reply.
    private func fetch<Reply: Decodable>(_ type: Reply.Type, _ path: String) async throws -> Reply {
        let (status, body) = try await client.get(path)
        guard (200..<300).contains(status) else {
            throw DockerClientError(.httpStatus, "GET \(path) on \(client.socketPath) answered \(status)")
        }
        do {
            return try JSONDecoder().decode(Reply.self, from: Data(body.readableBytesView))
        } catch {
            throw DockerClientError(.badBody, "GET \(path) on \(client.socketPath) did not return the expected JSON")
        }
    }
}

/// The fields of `GET /version` the probe reads.
private struct VersionReply: Decodable {
    var version: String
    var apiVersion: String

    enum CodingKeys: String, CodingKey {
        case version = "Version"
        case apiVersion = "ApiVersion"
    }
}

/// The fields of `GET /info` the probe reads.
private struct InfoReply: Decodable {
    var containersRunning: Int
    var containersPaused: Int
    var containersStopped: Int
    var images: Int

    enum CodingKeys: String, CodingKey {
        case containersRunning = "ContainersRunning"
        case containersPaused = "ContainersPaused"
        case containersStopped = "ContainersStopped"
        case images = "Images"
    }
}
