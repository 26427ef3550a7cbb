import NIOCore
import Protocol

/// What the agent needs from a container engine. `DockerEngine` implements it over the Docker
/// Engine API; everything above it (the stack reconciler, volume archives) sees only these types.
public protocol ContainerRuntime: Sendable {
    /// The engine's version and the API version in use.
    func version() async throws -> RuntimeVersion

    /// Containers carrying all of `labels` (a nil value: the key with any value), stopped ones included.
    func containers(labelled labels: [String: String?]) async throws -> [RuntimeContainer]
    /// One container in full (state, health, exit code), or nil when it does not exist.
    func inspect(container id: String) async throws -> RuntimeContainer?
    /// Creates (never starts) a container; returns its id.
    func create(container: ContainerCreate) async throws -> String
    func start(container id: String) async throws
    /// Stops, waiting up to `timeout` seconds before killing.
    func stop(container id: String, timeout: Int) async throws
    func restart(container id: String, timeout: Int) async throws
    /// Removes, running or not, with its anonymous volumes.
    func remove(container id: String) async throws

    func networks(labelled labels: [String: String?]) async throws -> [RuntimeObject]
    func createNetwork(name: String, labels: [String: String], internal: Bool) async throws
    func removeNetwork(name: String) async throws

    func volumes(labelled labels: [String: String?]) async throws -> [RuntimeObject]
    func createVolume(name: String, labels: [String: String]) async throws
    func removeVolume(name: String) async throws
    /// One volume in full (its driver and where it is mounted on the host), or nil when it does not exist.
    func inspect(volume name: String) async throws -> RuntimeVolume?
    /// Where the engine keeps its data on the host (Docker's `DockerRootDir`).
    func dataRoot() async throws -> String

    /// Runs `command` in a running container, handing its standard output to `output` as it comes;
    /// returns its exit code and the end of its standard error.
    func exec(container id: String, command: [String], _ output: (ByteBuffer) async throws -> Void) async throws -> ExecResult

    /// Whether the image is present locally.
    func hasImage(_ reference: String) async throws -> Bool
    /// Pulls `reference`, reporting progress; throws ``DockerClientError`` (`.pullFailed`) naming the image and the cause.
    func pull(_ reference: String, credentials: RegistryCredentials?, progress: @Sendable (PullProgress) async -> Void) async throws

    /// A container's log lines (demultiplexed, in order) until the end, or until the container stops when following.
    func logs(container id: String, options: LogOptions, _ line: (LogLine) async throws -> Void) async throws
    /// One stats sample.
    func stats(container id: String) async throws -> ContainerStats
    /// Container events (die, oom, health status) as they happen, until cancelled.
    func events(_ event: (RuntimeEvent) async throws -> Void) async throws

    /// The tar of `path` inside a container, chunk by chunk.
    func archive(container id: String, path: String, _ chunk: (ByteBuffer) async throws -> Void) async throws
    /// Unpacks a tar stream into `path` inside a container.
    func extract(container id: String, path: String, tar: AsyncThrowingStream<ByteBuffer, any Error>) async throws
}

/// The engine's version.
public struct RuntimeVersion: Equatable, Sendable {
    /// The engine's release (`20.10.24`).
    public var engine: String
    /// The newest API version the engine speaks.
    public var engineAPI: String
    /// The API version the agent uses: the lower of the engine's newest and the agent's newest.
    public var negotiatedAPI: String
}

/// A container as the runtime reports it.
public struct RuntimeContainer: Equatable, Sendable {
    public var id: String
    /// Without the leading `/`.
    public var name: String
    public var image: String
    public var labels: [String: String]
    public var state: ContainerState
    /// Nil without a health check (or from a listing).
    public var health: ContainerHealth?
    /// The exit code, once exited (inspect only).
    public var exitCode: Int?
    /// Whether it was ever started (inspect only; a listing says nil).
    public var everStarted: Bool?
    /// Its IPv4 addresses on its networks (inspect only).
    public var addresses: [String] = []
}

/// A volume in full.
public struct RuntimeVolume: Equatable, Sendable {
    public var name: String
    public var labels: [String: String]
    /// `local` for a directory on the host; others (NFS plugins, …) may not be readable there.
    public var driver: String
    /// The directory on the host that holds its contents.
    public var mountpoint: String
}

/// A network or volume as the runtime reports it.
public struct RuntimeObject: Equatable, Sendable {
    public var name: String
    public var labels: [String: String]
}

/// A container to create: a service whose environment is final, whose volume sources are the
/// engine's volume names, and whose networks are the engine's network names.
public struct ContainerCreate: Sendable {
    public var name: String
    public var service: ServiceSpec
    public var labels: [String: String]
    /// Engine network names with aliases; the first is joined at creation, the others right after.
    public var networks: [(name: String, aliases: [String])]
    public init(name: String, service: ServiceSpec, labels: [String: String], networks: [(name: String, aliases: [String])]) {
        self.name = name
        self.service = service
        self.labels = labels
        self.networks = networks
    }
}

/// Which log lines to read.
public struct LogOptions: Sendable {
    /// Keep reading new lines until the container stops.
    public var follow: Bool
    /// Only the last lines; all when nil.
    public var tail: Int?
    public var timestamps: Bool
    public init(follow: Bool = false, tail: Int? = nil, timestamps: Bool = true) {
        self.follow = follow
        self.tail = tail
        self.timestamps = timestamps
    }
}

/// A container event the agent reports.
public struct RuntimeEvent: Equatable, Sendable {
    public var containerID: String
    /// `die`, `oom`, `health_status: healthy`, … as the engine names it.
    public var action: String
    /// The container's labels (project and service among them).
    public var labels: [String: String]
}

/// How a command run in a container ended.
public struct ExecResult: Equatable, Sendable {
    public var exitCode: Int
    /// The last 4 KiB of its standard error.
    public var errors: String
}
