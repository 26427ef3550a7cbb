import FoundationEssentials

extension MessageType {
    /// Controller → agent request: bring the device to a ``StackApply``'s spec; reply ``StackApplyResult``.
    public static let stackApply = "stack.apply"
    /// Controller → agent request: the stacks on the device (from container labels); reply `[StackStatus]`.
    public static let stackList = "stack.list"
    /// Controller → agent request: start, stop, restart or remove a stack or some of its services (``StackAction``).
    public static let stackAction = "stack.action"
    /// Controller → agent request: stats per container of a stack (``StackRef``); reply ``StackStats``.
    public static let stackStats = "stack.stats"
    /// Controller → agent request: the agent opens a `logs` stream of ``LogLine`` JSON lines (``StackLogsRequest``).
    public static let stackLogs = "stack.logs"
    /// Agent → controller event: progress of an apply (``StackProgress``).
    public static let stackProgress = "stack.progress"
    /// Agent → controller event: a container died, ran out of memory or changed health (``ContainerEvent``).
    public static let containerEvent = "container.event"
}

/// Credentials for one registry, sent with a pull (`X-Registry-Auth`).
public struct RegistryCredentials: Codable, Equatable, Sendable {
    /// `host[:port]` of the registry.
    public var server: String
    public var username: String
    public var password: String
    public init(server: String, username: String, password: String) {
        self.server = server
        self.username = username
        self.password = password
    }
}

/// `stack.apply`.
public struct StackApply: Codable, Equatable, Sendable {
    public var spec: StackSpec
    /// Credentials by registry, used for images from those registries.
    public var credentials: [RegistryCredentials]?
    /// How long a `service_healthy` dependency may take, in seconds (default 120).
    public var healthTimeout: Int?
    public init(spec: StackSpec, credentials: [RegistryCredentials]? = nil, healthTimeout: Int? = nil) {
        self.spec = spec
        self.credentials = credentials
        self.healthTimeout = healthTimeout
    }
}

/// What an apply did to each service.
public struct StackApplyResult: Codable, Equatable, Sendable {
    /// What happened to one service.
    public enum Change: String, Codable, Sendable {
        /// No container existed; one was created and started.
        case created
        /// The config hash changed; the container was replaced.
        case recreated
        /// Already as specified; left running.
        case unchanged
        /// As specified but stopped; started.
        case started
        /// No longer in the spec; removed.
        case removed
    }
    /// One service's outcome.
    public struct Service: Codable, Equatable, Sendable {
        public var name: String
        public var change: Change
        /// The container now running the service (absent when removed).
        public var containerID: String?
        public init(name: String, change: Change, containerID: String?) {
            self.name = name
            self.change = change
            self.containerID = containerID
        }
    }
    public var project: String
    /// Services in the order they were handled.
    public var services: [Service]
    public init(project: String, services: [Service]) {
        self.project = project
        self.services = services
    }
}

/// `stack.progress`: one step of an apply.
public struct StackProgress: Codable, Equatable, Sendable {
    /// A step of an apply. Open to values a newer agent sends; receivers treat unknown ones as notes.
    public struct Phase: StringTag {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// Pulling an image (`current`/`total` are bytes).
        public static let pull: Self = "pull"
        public static let network: Self = "network"
        public static let volume: Self = "volume"
        public static let create: Self = "create"
        public static let start: Self = "start"
        /// Waiting for a dependency's condition.
        public static let wait: Self = "wait"
        /// Removing a service no longer in the spec.
        public static let remove: Self = "remove"
        /// The apply ended; the stack is as the spec says.
        public static let done: Self = "done"
    }

    public var project: String
    public var phase: Phase
    public var service: String?
    public var image: String?
    /// Bytes done and total for a pull (summed over layers).
    public var current: Int64?
    public var total: Int64?
    /// For people: `Pulling fs layer`, `Waiting for db to be healthy`, ….
    public var message: String
    public init(project: String, phase: Phase, service: String? = nil, image: String? = nil, current: Int64? = nil,
                total: Int64? = nil, message: String) {
        self.project = project
        self.phase = phase
        self.service = service
        self.image = image
        self.current = current
        self.total = total
        self.message = message
    }
}

/// A pull's progress as the engine reports it, summed over layers.
public struct PullProgress: Equatable, Sendable {
    public var image: String
    public var status: String
    public var current: Int64
    public var total: Int64
    public init(image: String, status: String, current: Int64, total: Int64) {
        self.image = image
        self.status = status
        self.current = current
        self.total = total
    }
}

/// A stack, or some of its services.
public struct StackRef: Codable, Equatable, Sendable {
    public var project: String
    /// Only these services; all when absent.
    public var services: [String]?
    public init(project: String, services: [String]? = nil) {
        self.project = project
        self.services = services
    }
}

/// `stack.action`.
public struct StackAction: Codable, Equatable, Sendable {
    public enum Verb: String, Codable, Sendable { case start, stop, restart, remove }
    public var stack: StackRef
    public var verb: Verb
    /// With `remove` of the whole stack: delete its named volumes too (their data is gone).
    public var removeVolumes: Bool?
    public init(stack: StackRef, verb: Verb, removeVolumes: Bool? = nil) {
        self.stack = stack
        self.verb = verb
        self.removeVolumes = removeVolumes
    }
}

/// A stack on a device, rebuilt from container labels.
public struct StackStatus: Codable, Equatable, Sendable {
    public struct Container: Codable, Equatable, Sendable {
        public var service: String
        public var id: String
        public var name: String
        public var image: String
        public var state: ContainerState
        public var health: ContainerHealth?
        public init(service: String, id: String, name: String, image: String, state: ContainerState, health: ContainerHealth?) {
            self.service = service
            self.id = id
            self.name = name
            self.image = image
            self.state = state
            self.health = health
        }
    }
    public var project: String
    public var deployment: String?
    public var containers: [Container]
    public init(project: String, deployment: String?, containers: [Container]) {
        self.project = project
        self.deployment = deployment
        self.containers = containers
    }
}

/// One container's resource use.
public struct ContainerStats: Codable, Equatable, Sendable {
    /// Of one core: 100 is one full core.
    public var cpuPercent: Double
    /// Memory used, page cache excluded (as `docker stats` shows it).
    public var memoryBytes: Int64
    public var memoryLimitBytes: Int64
    public var networkRxBytes: Int64
    public var networkTxBytes: Int64
    public var blockReadBytes: Int64
    public var blockWriteBytes: Int64
    public init(cpuPercent: Double, memoryBytes: Int64, memoryLimitBytes: Int64, networkRxBytes: Int64, networkTxBytes: Int64,
                blockReadBytes: Int64, blockWriteBytes: Int64) {
        self.cpuPercent = cpuPercent
        self.memoryBytes = memoryBytes
        self.memoryLimitBytes = memoryLimitBytes
        self.networkRxBytes = networkRxBytes
        self.networkTxBytes = networkTxBytes
        self.blockReadBytes = blockReadBytes
        self.blockWriteBytes = blockWriteBytes
    }

    /// The sum of `stats` (CPU percentages add up, as for a stack's total).
    public static func total(_ stats: [ContainerStats]) -> ContainerStats {
        stats.reduce(ContainerStats(cpuPercent: 0, memoryBytes: 0, memoryLimitBytes: 0, networkRxBytes: 0, networkTxBytes: 0,
                                    blockReadBytes: 0, blockWriteBytes: 0)) { sum, next in
            ContainerStats(cpuPercent: sum.cpuPercent + next.cpuPercent, memoryBytes: sum.memoryBytes + next.memoryBytes,
                           memoryLimitBytes: sum.memoryLimitBytes + next.memoryLimitBytes,
                           networkRxBytes: sum.networkRxBytes + next.networkRxBytes, networkTxBytes: sum.networkTxBytes + next.networkTxBytes,
                           blockReadBytes: sum.blockReadBytes + next.blockReadBytes, blockWriteBytes: sum.blockWriteBytes + next.blockWriteBytes)
        }
    }
}

/// Reply to `stack.stats`.
public struct StackStats: Codable, Equatable, Sendable {
    public var project: String
    /// By service.
    public var services: [String: ContainerStats]
    public var total: ContainerStats
    public init(project: String, services: [String: ContainerStats]) {
        self.project = project
        self.services = services
        self.total = .total(Array(services.values))
    }
}

/// `stack.logs`.
public struct StackLogsRequest: Codable, Equatable, Sendable {
    public var project: String
    public var service: String
    public var follow: Bool
    public var tail: Int?
    /// Passed back as the `token` parameter of the `stream.open` the agent sends, so the controller
    /// knows which request the stream answers.
    public var token: String?
    public init(project: String, service: String, follow: Bool, tail: Int? = nil, token: String? = nil) {
        self.project = project
        self.service = service
        self.follow = follow
        self.tail = tail
        self.token = token
    }
}

/// Reply to `stack.logs`, once its stream has ended.
public struct StackLogsDone: Codable, Equatable, Sendable {
    public var lines: Int
    public init(lines: Int) { self.lines = lines }
}

/// One log line.
public struct LogLine: Codable, Equatable, Sendable {
    public enum Source: String, Codable, Sendable { case stdout, stderr }
    public var stream: Source
    /// RFC 3339 with nanoseconds, as the engine stamps it.
    public var time: String?
    /// The line, without its newline.
    public var text: String
    public init(stream: Source, time: String?, text: String) {
        self.stream = stream
        self.time = time
        self.text = text
    }
}

/// `container.event`.
public struct ContainerEvent: Codable, Equatable, Sendable {
    public var project: String?
    public var service: String?
    public var containerID: String
    /// `die`, `oom`, `health_status: healthy`, ….
    public var action: String
    public init(project: String?, service: String?, containerID: String, action: String) {
        self.project = project
        self.service = service
        self.containerID = containerID
        self.action = action
    }
}

extension MessageType {
    /// Controller → agent request: probe a service's container from the device (``StackProbe``); reply ``StackProbeResult``.
    public static let stackProbe = "stack.probe"
}

/// `stack.probe`: is the service answering on a container port? Used where the image has no HEALTHCHECK.
public struct StackProbe: Codable, Equatable, Sendable {
    public var project: String
    public var service: String
    /// The container port.
    public var port: Int
    /// An HTTP path (2xx or 3xx is healthy); a bare TCP connect when absent.
    public var path: String?
    public init(project: String, service: String, port: Int, path: String? = nil) {
        self.project = project
        self.service = service
        self.port = port
        self.path = path
    }
}

/// Reply to `stack.probe`.
public struct StackProbeResult: Codable, Equatable, Sendable {
    public var healthy: Bool
    /// For people: `HTTP 200 from 172.17.0.3:80/`, `connection refused on 172.17.0.3:5432`.
    public var detail: String
    public init(healthy: Bool, detail: String) {
        self.healthy = healthy
        self.detail = detail
    }
}
