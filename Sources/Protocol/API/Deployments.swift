import FoundationEssentials

/// Where a deployment stands. Every change is stored before the work it names starts
/// (docs/deployments.md has the diagram).
public enum DeploymentState: String, Codable, Sendable, CaseIterable {
    /// Accepted: placed, rendered and stored; nothing sent to a device yet.
    case pending
    /// A device pulls the images.
    case pulling
    /// A device creates networks, volumes and containers.
    case creating
    /// A device starts the containers.
    case starting
    /// Waiting for the containers to be healthy (Docker healthcheck, or the recipe's probe run by the agent).
    case healthChecking = "health-checking"
    /// Up and healthy.
    case running
    /// Stopped on request.
    case stopped
    /// Removing what a failed deploy created (a first deploy), or going back to the previous version (an upgrade).
    case rollingBack = "rolling-back"
    /// A failed deploy was undone.
    case rolledBack = "rolled-back"
    /// Failed and could not be undone (a device stayed unreachable); `error` says what is left where.
    case failed
    /// Being removed.
    case removing
    /// Being moved to another device with its data (a migration job).
    case migrating

    /// Work is under way: a controller that restarts picks it up again.
    public var isInProgress: Bool {
        switch self {
        case .pending, .pulling, .creating, .starting, .healthChecking, .rollingBack, .removing, .migrating: true
        case .running, .stopped, .rolledBack, .failed: false
        }
    }
}

/// One component of a deployment: where it runs and as which stack.
public struct DeploymentComponent: Codable, Equatable, Sendable {
    public var name: String
    /// The device it runs on.
    public var device: String
    /// The device's address when it was placed (what linked components were given).
    public var address: String?
    /// The stack (compose project) on the device.
    public var project: String
    /// The host port other components reach it on.
    public var port: Int?
    /// Why the scheduler chose this device, or that the user named it.
    public var reason: String
    /// What it reserves on the device (the recipe's requirements), for later placements.
    public var memoryBytes: Int64
    public var storageBytes: Int64
    /// The host ports it publishes, as `8080/tcp`.
    public var published: [String]
    public init(name: String, device: String, address: String?, project: String, port: Int?, reason: String,
                memoryBytes: Int64 = 0, storageBytes: Int64 = 0, published: [String] = []) {
        self.name = name
        self.device = device
        self.address = address
        self.project = project
        self.port = port
        self.reason = reason
        self.memoryBytes = memoryBytes
        self.storageBytes = storageBytes
        self.published = published
    }
}

/// A deployment as the API shows it. Secrets and password inputs are never part of it.
public struct DeploymentResource: Codable, Equatable, Sendable {
    public var id: String
    public var name: String
    /// The recipe's id and version it was deployed from.
    public var recipe: String
    public var recipeVersion: String
    public var category: String
    public var state: DeploymentState
    /// Components in start order (providers before their consumers).
    public var components: [DeploymentComponent]
    /// The inputs given or defaulted, password-type ones left out.
    public var inputs: [String: String]
    /// Where to open the app: the proxy route when exposed, else `scheme://DEVICE-ADDRESS:PORT/path`.
    public var url: String?
    /// Whether the reverse proxy routes to it.
    public var exposed: Bool
    /// The failure of its last operation (a deploy that was rolled back, a stop that failed), with its code;
    /// absent when the last one succeeded.
    public var error: HomelabError?
    public var createdAt: Date
    public var updatedAt: Date
    public init(id: String, name: String, recipe: String, recipeVersion: String, category: String, state: DeploymentState,
                components: [DeploymentComponent], inputs: [String: String], url: String?, exposed: Bool, error: HomelabError?,
                createdAt: Date, updatedAt: Date) {
        self.id = id
        self.name = name
        self.recipe = recipe
        self.recipeVersion = recipeVersion
        self.category = category
        self.state = state
        self.components = components
        self.inputs = inputs
        self.url = url
        self.exposed = exposed
        self.error = error
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The device of a single-component deployment, or the devices joined by `,`.
    public var devices: String { components.map(\.device).uniqued().joined(separator: ",") }
}

/// One step of a deployment, as stored and as sent on `/v1/events` (`deployment.progress`).
public struct DeploymentStep: Codable, Equatable, Sendable {
    /// Its place in the deployment's history (absent on progress ticks, which are not stored).
    public var seq: Int64?
    public var time: Date
    public var state: DeploymentState
    /// The component the step concerns.
    public var component: String?
    /// For people: `Selected nas because …`, `Pulling registry/app:1 (12/40 MB)`, `web: app is healthy`.
    public var message: String
    /// Bytes pulled so far and in all, during `pulling`.
    public var current: Int64?
    public var total: Int64?
    /// The step that ends an operation (running, stopped, rolled back, failed, removed): a progress reader stops there.
    public var final: Bool?
    public init(seq: Int64? = nil, time: Date, state: DeploymentState, component: String? = nil, message: String, current: Int64? = nil,
                total: Int64? = nil, final: Bool? = nil) {
        self.seq = seq
        self.time = time
        self.state = state
        self.component = component
        self.message = message
        self.current = current
        self.total = total
        self.final = final
    }
}

/// `deployment.progress`: a step of one deployment.
public struct DeploymentProgress: Codable, Equatable, Sendable {
    public var deployment: String
    public var id: String
    public var step: DeploymentStep
    public init(deployment: String, id: String, step: DeploymentStep) {
        self.deployment = deployment
        self.id = id
        self.step = step
    }
}

/// `POST /v1/deployments`: deploy a recipe, or redeploy (upgrade) an existing deployment of it.
public struct DeployRequest: Codable, Equatable, Sendable {
    /// A catalog recipe's id.
    public var recipe: String?
    /// Or a recipe's YAML text (`homelab deploy ./app.yaml`), with its file name for error messages.
    public var recipeYAML: String?
    public var recipeFile: String?
    /// The deployment's name (default: the recipe's id). An existing name redeploys it in place.
    public var name: String?
    /// Where the components go: `"auto"` (or absent) lets the scheduler choose; an object names devices.
    public var placement: Placement?
    /// Input values; on a redeploy, merged over the deployment's current ones.
    public var inputs: [String: String]?
    /// Route the reverse proxy to the web entry.
    public var expose: Bool?
    /// Longest wait for health, in seconds (default 120).
    public var healthTimeout: Int?
    public init(recipe: String? = nil, recipeYAML: String? = nil, recipeFile: String? = nil, name: String? = nil, placement: Placement? = nil,
                inputs: [String: String]? = nil, expose: Bool? = nil, healthTimeout: Int? = nil) {
        self.recipe = recipe
        self.recipeYAML = recipeYAML
        self.recipeFile = recipeFile
        self.name = name
        self.placement = placement
        self.inputs = inputs
        self.expose = expose
        self.healthTimeout = healthTimeout
    }
}

/// Where a deploy's components go: `"auto"`, or `{"db": "nas", "web": "pi4"}` with `"*"` for every
/// component not named (`{"*": "nas"}` puts them all on nas); components not named are chosen.
public enum Placement: Codable, Equatable, Sendable {
    /// The scheduler chooses every component.
    case auto
    /// Devices by component name (`*`: every component not named).
    case devices([String: String])

    /// The key that names the device of every component not named.
    public static let everyComponent = "*"

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            guard text == "auto" else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "placement is \"auto\" or an object of component: device")
            }
            self = .auto
        } else {
            self = .devices(try container.decode([String: String].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .auto: try container.encode("auto")
        case .devices(let devices): try container.encode(devices)
        }
    }

    /// The device named for `component`, if any.
    public func device(for component: String) -> String? {
        guard case .devices(let devices) = self else { return nil }
        return devices[component] ?? devices[Self.everyComponent]
    }
}

/// The answer to `POST /v1/deployments` (202): the deployment as accepted, and where to follow it.
public struct DeployAccepted: Codable, Equatable, Sendable {
    public var deployment: DeploymentResource
    /// `GET` it for the steps of this deploy as JSON lines, until the last one (`final`).
    public var progress: String
    public init(deployment: DeploymentResource, progress: String) {
        self.deployment = deployment
        self.progress = progress
    }
}

/// `GET /v1/deployments/{name}`: the deployment, what runs on the devices, and its history.
public struct DeploymentDetail: Codable, Equatable, Sendable {
    /// A component as its device reports it.
    public struct Live: Codable, Equatable, Sendable {
        public var component: String
        public var device: String
        /// The containers found for its stack (empty when the device is unreachable or the stack is gone).
        public var containers: [StackStatus.Container]
        /// Resource use by service, when the device answered.
        public var stats: StackStats?
        /// Its named volumes, as the device's engine names them (`PROJECT_data`): where its data lives.
        public var volumes: [String]
        /// Why nothing is reported, when so.
        public var unreachable: String?
        public init(component: String, device: String, containers: [StackStatus.Container], stats: StackStats?, volumes: [String] = [],
                    unreachable: String?) {
            self.component = component
            self.device = device
            self.containers = containers
            self.stats = stats
            self.volumes = volumes
            self.unreachable = unreachable
        }
    }
    public var deployment: DeploymentResource
    public var live: [Live]
    /// Where what runs differs from what was deployed (`web: service app has no container (removed by hand?)`).
    public var drift: [String]
    /// The recipe's post-deploy notes (they may show a generated secret where the recipe says so).
    public var notes: String?
    /// Every step, oldest first.
    public var steps: [DeploymentStep]
    public init(deployment: DeploymentResource, live: [Live], drift: [String], notes: String?, steps: [DeploymentStep]) {
        self.deployment = deployment
        self.live = live
        self.drift = drift
        self.notes = notes
        self.steps = steps
    }
}

/// `GET /v1/drift`: the whole homelab's desired-versus-actual differences.
public struct DriftReport: Codable, Equatable, Sendable {
    /// A deployment whose stacks differ from what was deployed.
    public struct Deployment: Codable, Equatable, Sendable {
        public var deployment: String
        public var problems: [String]
        public init(deployment: String, problems: [String]) {
            self.deployment = deployment
            self.problems = problems
        }
    }
    /// A stack running on a device that no deployment accounts for.
    public struct Unknown: Codable, Equatable, Sendable {
        public var device: String
        public var project: String
        /// The deployment label it carries, when it has one (a deployment since removed from the controller).
        public var deployment: String?
        public init(device: String, project: String, deployment: String?) {
            self.device = device
            self.project = project
            self.deployment = deployment
        }
    }
    public var deployments: [Deployment]
    public var unknownStacks: [Unknown]
    /// Devices that did not answer (what runs there is not known).
    public var unreachable: [String]
    public init(deployments: [Deployment], unknownStacks: [Unknown], unreachable: [String]) {
        self.deployments = deployments
        self.unknownStacks = unknownStacks
        self.unreachable = unreachable
    }
}

extension Array where Element: Hashable {
    /// The elements in order, each once.
    func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}
