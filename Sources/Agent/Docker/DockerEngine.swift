import FoundationEssentials
import NIOCore
import NIOHTTP1
import Protocol
import Synchronization

/// ``ContainerRuntime`` over the Docker Engine API on a unix socket. The API version is negotiated
/// once: the lower of the engine's newest and ``newestAPI``; an engine older than ``oldestAPI`` is refused.
public final class DockerEngine: ContainerRuntime {
    /// The oldest Engine API the agent works with (Docker 19.03).
    public static let oldestAPI = "1.40"
    /// The newest Engine API the agent knows.
    public static let newestAPI = "1.45"

    let client: DockerHTTPClient
    private let negotiated = Mutex<RuntimeVersion?>(nil)

    /// An engine at `socketPath` (see ``DockerProbe/socketPath(explicit:dockerHost:)``).
    public init(client: DockerHTTPClient) {
        self.client = client
    }

    /// An engine at `socketPath`, with a timeout for requests that are not streams.
    public convenience init(socketPath: String, timeout: TimeAmount = .seconds(60)) {
        self.init(client: DockerHTTPClient(socketPath: socketPath, timeout: timeout, maximumBodyBytes: 64 << 20))
    }

    public func version() async throws -> RuntimeVersion {
        if let known = negotiated.withLock({ $0 }) { return known }
        let (status, body) = try await client.get("/version")
        guard status == 200, let reply = DockerJSON.parse(body), let api = reply["ApiVersion"].string else {
            throw DockerClientError(.badResponse, "GET /version on \(client.socketPath) answered \(status) without an ApiVersion")
        }
        let version = try Self.negotiate(engine: reply["Version"].string ?? "unknown", engineAPI: api)
        negotiated.withLock { $0 = version }
        return version
    }

    /// The API version to use with an engine whose newest is `engineAPI`.
    static func negotiate(engine: String, engineAPI: String) throws -> RuntimeVersion {
        guard Self.compare(engineAPI, oldestAPI) >= 0 else {
            throw DockerClientError(
                .unsupportedVersion,
                "Docker \(engine) speaks Engine API \(engineAPI) at most; the agent needs \(oldestAPI) or newer (Docker 19.03+)"
            )
        }
        let use = Self.compare(engineAPI, newestAPI) < 0 ? engineAPI : newestAPI
        return RuntimeVersion(engine: engine, engineAPI: engineAPI, negotiatedAPI: use)
    }

    /// Orders `major.minor` versions numerically.
    static func compare(_ left: String, _ right: String) -> Int {
        let l = left.split(separator: ".").map { Int($0) ?? 0 }, r = right.split(separator: ".").map { Int($0) ?? 0 }
        for index in 0..<max(l.count, r.count) {
            let a = index < l.count ? l[index] : 0, b = index < r.count ? r[index] : 0
            if a != b { return a < b ? -1 : 1 }
        }
        return 0
    }

    // MARK: Requests

    /// `/v<api><path>?<query>`.
    func versioned(_ path: String, _ query: [(String, String)] = []) async throws -> String {
        let prefix = "/v\(try await version().negotiatedAPI)\(path)"
        return query.isEmpty ? prefix : "\(prefix)?\(DockerQuery.encode(query))"
    }

    /// One request with a JSON (or empty) reply; non-2xx answers become errors naming `what`.
    @discardableResult
    func call(_ method: HTTPMethod, _ path: String, query: [(String, String)] = [], json: DockerJSON? = nil,
              what: String) async throws -> DockerJSON {
        let body: DockerHTTPClient.Body = json.map { .bytes($0.buffer, contentType: "application/json") } ?? .none
        let (status, reply) = try await client.send(method, try await versioned(path, query), body: body)
        try Self.check(status, reply, what: what)
        return reply.readableBytes == 0 ? .null : (DockerJSON.parse(reply) ?? .null)
    }

    /// Throws the engine's own message for a status that is not success (304 "already so" counts as success).
    static func check(_ status: Int, _ body: ByteBuffer, what: String) throws {
        if (200..<300).contains(status) || status == 304 { return }
        let message = DockerJSON.parse(body)?["message"].string ?? String(buffer: body)
        let code: DockerClientError.Code = switch status {
        case 404: .notFound
        case 409: .conflict
        default: .httpStatus
        }
        throw DockerClientError(code, "\(what): \(message.isEmpty ? "HTTP \(status)" : message)")
    }

    static func labelFilter(_ labels: [String: String?]) -> [(String, String)] {
        let terms = labels.sorted { $0.key < $1.key }.map { key, value in value.map { "\(key)=\($0)" } ?? key }
        return [("filters", DockerQuery.filters(["label": terms]))]
    }

    // MARK: Containers

    public func containers(labelled labels: [String: String?]) async throws -> [RuntimeContainer] {
        let reply = try await call(.GET, "/containers/json", query: [("all", "1")] + Self.labelFilter(labels), what: "list containers")
        return reply.array.map { item in
            RuntimeContainer(
                id: item["Id"].string ?? "", name: String((item["Names"].array.first?.string ?? "").drop { $0 == "/" }),
                image: item["Image"].string ?? "", labels: item["Labels"].stringMap, state: item["State"].string.map(ContainerState.init) ?? .unknown,
                health: nil, exitCode: nil, everStarted: nil
            )
        }
    }

    public func inspect(container id: String) async throws -> RuntimeContainer? {
        let reply: DockerJSON
        do {
            reply = try await call(.GET, "/containers/\(id)/json", what: "inspect container \(id)")
        } catch let error as DockerClientError where error.code == .notFound {
            return nil
        }
        let state = reply["State"]
        return RuntimeContainer(
            id: reply["Id"].string ?? id, name: String((reply["Name"].string ?? "").drop { $0 == "/" }),
            image: reply["Config"]["Image"].string ?? "", labels: reply["Config"]["Labels"].stringMap,
            state: state["Status"].string.map(ContainerState.init) ?? .unknown, health: state["Health"]["Status"].string.map(ContainerHealth.init),
            exitCode: state["ExitCode"].int.map(Int.init),
            everStarted: (state["StartedAt"].string.map { !$0.hasPrefix("0001-") }) ?? false,
            addresses: reply["NetworkSettings"]["Networks"].object.keys.sorted().compactMap { name in
                reply["NetworkSettings"]["Networks"][name]["IPAddress"].string.flatMap { $0.isEmpty ? nil : $0 }
            }
        )
    }

    public func create(container: ContainerCreate) async throws -> String {
        let body = DockerCreateBody.make(container)
        let reply = try await call(.POST, "/containers/create", query: [("name", container.name)], json: body,
                                   what: "create container \(container.name)")
        guard let id = reply["Id"].string else { throw DockerClientError(.badBody, "create container \(container.name): no Id in the reply") }
        for network in container.networks.dropFirst() {
            try await call(.POST, "/networks/\(network.name)/connect",
                           json: ["Container": .string(id), "EndpointConfig": ["Aliases": DockerJSON(network.aliases)]],
                           what: "connect \(container.name) to network \(network.name)")
        }
        return id
    }

    public func start(container id: String) async throws {
        try await call(.POST, "/containers/\(id)/start", what: "start container \(id)")
    }

    public func stop(container id: String, timeout: Int) async throws {
        try await call(.POST, "/containers/\(id)/stop", query: [("t", String(timeout))], what: "stop container \(id)")
    }

    public func restart(container id: String, timeout: Int) async throws {
        try await call(.POST, "/containers/\(id)/restart", query: [("t", String(timeout))], what: "restart container \(id)")
    }

    public func remove(container id: String) async throws {
        do {
            try await call(.DELETE, "/containers/\(id)", query: [("force", "1"), ("v", "1")], what: "remove container \(id)")
        } catch let error as DockerClientError where error.code == .notFound {
            return
        }
    }

    // MARK: Networks and volumes

    public func networks(labelled labels: [String: String?]) async throws -> [RuntimeObject] {
        try await call(.GET, "/networks", query: Self.labelFilter(labels), what: "list networks").array.map {
            RuntimeObject(name: $0["Name"].string ?? "", labels: $0["Labels"].stringMap)
        }
    }

    public func createNetwork(name: String, labels: [String: String], internal: Bool) async throws {
        try await call(.POST, "/networks/create",
                       json: ["Name": .string(name), "Driver": "bridge", "Internal": .bool(`internal`), "Labels": DockerJSON(labels),
                              "CheckDuplicate": true],
                       what: "create network \(name)")
    }

    public func removeNetwork(name: String) async throws {
        do {
            try await call(.DELETE, "/networks/\(name)", what: "remove network \(name)")
        } catch let error as DockerClientError where error.code == .notFound {
            return
        }
    }

    public func volumes(labelled labels: [String: String?]) async throws -> [RuntimeObject] {
        try await call(.GET, "/volumes", query: Self.labelFilter(labels), what: "list volumes")["Volumes"].array.map {
            RuntimeObject(name: $0["Name"].string ?? "", labels: $0["Labels"].stringMap)
        }
    }

    public func createVolume(name: String, labels: [String: String]) async throws {
        try await call(.POST, "/volumes/create", json: ["Name": .string(name), "Labels": DockerJSON(labels)], what: "create volume \(name)")
    }

    public func removeVolume(name: String) async throws {
        do {
            try await call(.DELETE, "/volumes/\(name)", what: "remove volume \(name)")
        } catch let error as DockerClientError where error.code == .notFound {
            return
        }
    }

    public func inspect(volume name: String) async throws -> RuntimeVolume? {
        let reply: DockerJSON
        do {
            reply = try await call(.GET, "/volumes/\(name)", what: "inspect volume \(name)")
        } catch let error as DockerClientError where error.code == .notFound {
            return nil
        }
        return RuntimeVolume(name: reply["Name"].string ?? name, driver: reply["Driver"].string ?? "",
                             mountpoint: reply["Mountpoint"].string ?? "", labels: reply["Labels"].stringMap)
    }

    // MARK: Images

    public func hasImage(_ reference: String) async throws -> Bool {
        do {
            try await call(.GET, "/images/\(reference)/json", what: "inspect image \(reference)")
            return true
        } catch let error as DockerClientError where error.code == .notFound {
            return false
        }
    }
}
