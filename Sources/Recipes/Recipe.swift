import Protocol

/// A recipe (`docs/recipes.md`): an app, what it needs, its form, its components and what to tell the user.
/// Loaded and checked by `RecipeLoader`; rendered to stacks by `RecipeRenderer`.
public struct Recipe: Sendable, Equatable {
    public var id: String
    public var name: String
    public var tagline: String
    public var description: String?
    public var category: RecipeCategory
    public var icon: String?
    public var homepage: String?
    public var source: String?
    public var version: String
    public var maintainer: String?
    public var architectures: [RecipeArchitecture]
    public var inputs: [RecipeInput]
    public var secrets: [RecipeSecret]
    public var autoLink: Bool
    public var components: [RecipeComponent]
    public var web: WebEntry?
    public var health: [HealthHint]
    /// Template text.
    public var notes: String?

    public init(id: String, name: String, tagline: String, description: String? = nil, category: RecipeCategory, icon: String? = nil,
                homepage: String? = nil, source: String? = nil, version: String, maintainer: String? = nil,
                architectures: [RecipeArchitecture], inputs: [RecipeInput] = [], secrets: [RecipeSecret] = [], autoLink: Bool = false,
                components: [RecipeComponent], web: WebEntry? = nil, health: [HealthHint] = [], notes: String? = nil) {
        self.id = id
        self.name = name
        self.tagline = tagline
        self.description = description
        self.category = category
        self.icon = icon
        self.homepage = homepage
        self.source = source
        self.version = version
        self.maintainer = maintainer
        self.architectures = architectures
        self.inputs = inputs
        self.secrets = secrets
        self.autoLink = autoLink
        self.components = components
        self.web = web
        self.health = health
        self.notes = notes
    }

    /// The component named `name`.
    public func component(_ name: String) -> RecipeComponent? { components.first { $0.name == name } }
}

/// The fixed list of categories.
public enum RecipeCategory: String, Sendable, Codable, CaseIterable {
    case media, files, photos, documents, passwords
    case homeAutomation = "home-automation"
    case network, monitoring, development, dashboards
    case reverseProxy = "reverse-proxy"
    case productivity, communication, backup, ai, other
}

/// CPU architectures as images name them.
public enum RecipeArchitecture: String, Sendable, Codable, CaseIterable {
    case amd64, arm64, armv7

    /// The architecture of a machine as `uname -m` prints it (`x86_64`, `aarch64`, `armv7l`), nil when none of ours.
    public init?(machine: String) {
        switch machine {
        case "x86_64", "amd64": self = .amd64
        case "aarch64", "arm64": self = .arm64
        case "armv7l", "armv7", "armhf": self = .armv7
        default: return nil
        }
    }
}

/// A form field a user fills in at deploy time.
public struct RecipeInput: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case text, password, email, number, boolean, select, fqdn, ip, url, port, random
    }
    public var name: String
    public var type: Kind
    public var label: String?
    public var hint: String?
    public var required: Bool
    /// As text, whatever the type (`8080`, `true`).
    public var defaultValue: String?
    public var regex: String?
    public var min: Int?
    public var max: Int?
    public var options: [String]?
    /// `random` only.
    public var length: Int?
    public var charset: SecretCharset?

    enum CodingKeys: String, CodingKey {
        case name, type, label, hint, required, regex, min, max, options, length, charset
        case defaultValue = "default"
    }

    public init(name: String, type: Kind, label: String? = nil, hint: String? = nil, required: Bool = false, defaultValue: String? = nil,
                regex: String? = nil, min: Int? = nil, max: Int? = nil, options: [String]? = nil, length: Int? = nil, charset: SecretCharset? = nil) {
        self.name = name
        self.type = type
        self.label = label
        self.hint = hint
        self.required = required
        self.defaultValue = defaultValue
        self.regex = regex
        self.min = min
        self.max = max
        self.options = options
        self.length = length
        self.charset = charset
    }
}

/// The characters a generated value is made of.
public enum SecretCharset: String, Sendable, Codable, CaseIterable {
    case alphanumeric, hex, base64url, numeric

    public var characters: [Character] {
        switch self {
        case .alphanumeric: Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        case .hex: Array("0123456789abcdef")
        case .base64url: Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        case .numeric: Array("0123456789")
        }
    }
}

/// A value generated once per deployment and kept.
public struct RecipeSecret: Sendable, Codable, Equatable {
    public var name: String
    public var length: Int
    public var charset: SecretCharset
    public init(name: String, length: Int = 32, charset: SecretCharset = .alphanumeric) {
        self.name = name
        self.length = length
        self.charset = charset
    }
}

/// Device traits a component may prefer.
public enum DeviceTrait: String, Sendable, Codable, CaseIterable {
    case alwaysOn = "always-on"
    case lowPower = "low-power"
    case storageOptimized = "storage-optimized"
    case highMemory = "high-memory"
    case fastCPU = "fast-cpu"
    case gpu
}

/// What a component needs of the device it runs on.
public struct Requirements: Sendable, Codable, Equatable {
    /// Bytes of free RAM.
    public var memoryBytes: Int64?
    /// Bytes of free storage.
    public var storageBytes: Int64?
    /// 1-10.
    public var cpuWeight: Int
    public var gpu: Bool
    public var alwaysOn: Bool
    public init(memoryBytes: Int64? = nil, storageBytes: Int64? = nil, cpuWeight: Int = 1, gpu: Bool = false, alwaysOn: Bool = false) {
        self.memoryBytes = memoryBytes
        self.storageBytes = storageBytes
        self.cpuWeight = cpuWeight
        self.gpu = gpu
        self.alwaysOn = alwaysOn
    }
}

/// The part of an app that runs on one device: one stack.
public struct RecipeComponent: Sendable, Equatable {
    public var name: String
    /// Template text of the host port other components reach this one on.
    public var port: String?
    public var requirements: Requirements
    public var prefer: [DeviceTrait]
    /// The compose fragment (services, volumes, networks), templates unresolved.
    public var compose: ComposeTree
    /// How its volumes are backed up (`backup:`); nil means the default, `stop` with no hooks.
    public var backup: BackupPlan?
    public init(name: String, port: String? = nil, requirements: Requirements = .init(), prefer: [DeviceTrait] = [], compose: ComposeTree,
                backup: BackupPlan? = nil) {
        self.name = name
        self.port = port
        self.requirements = requirements
        self.prefer = prefer
        self.compose = compose
        self.backup = backup
    }
}

/// The "Open" button and the reverse-proxy route.
public struct WebEntry: Sendable, Codable, Equatable {
    public var component: String
    public var service: String?
    /// Template text of the published host port.
    public var port: String
    /// Template text.
    public var path: String
    public var scheme: String
    public init(component: String, service: String? = nil, port: String, path: String = "/", scheme: String = "http") {
        self.component = component
        self.service = service
        self.port = port
        self.path = path
        self.scheme = scheme
    }
}

/// How to tell that a service without an image health check is up.
public struct HealthHint: Sendable, Codable, Equatable {
    public enum Probe: Sendable, Codable, Equatable {
        /// A container port and a path; 2xx or 3xx is healthy.
        case http(port: Int, path: String)
        case tcp(port: Int)
    }
    public var component: String
    public var service: String
    public var probe: Probe
    public init(component: String, service: String, probe: Probe) {
        self.component = component
        self.service = service
        self.probe = probe
    }
}
