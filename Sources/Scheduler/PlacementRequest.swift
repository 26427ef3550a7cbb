import Recipes

/// What to place: a recipe's components with their needs, and the user's constraints.
public struct PlacementRequest: Codable, Sendable, Equatable {
    /// One component's needs.
    public struct Component: Codable, Sendable, Equatable {
        public var name: String
        public var memoryBytes: Int64
        public var storageBytes: Int64
        public var cpuWeight: Int
        public var gpu: Bool
        public var alwaysOn: Bool
        public var prefer: [DeviceTrait]
        /// Host ports it publishes, as `8080/tcp`.
        public var ports: [String]
        /// Components it talks to (network locality).
        public var links: [String]

        public init(name: String, memoryBytes: Int64 = 0, storageBytes: Int64 = 0, cpuWeight: Int = 1, gpu: Bool = false, alwaysOn: Bool = false,
                    prefer: [DeviceTrait] = [], ports: [String] = [], links: [String] = []) {
            self.name = name
            self.memoryBytes = memoryBytes
            self.storageBytes = storageBytes
            self.cpuWeight = cpuWeight
            self.gpu = gpu
            self.alwaysOn = alwaysOn
            self.prefer = prefer
            self.ports = ports
            self.links = links
        }
    }

    public var recipe: String
    public var category: String?
    public var architectures: [RecipeArchitecture]
    public var components: [Component]
    /// How many copies, each on its own device unless `allowSameDevice`.
    public var instances: Int
    public var allowSameDevice: Bool
    /// Only devices in this group.
    public var group: String?
    /// Never these devices.
    public var notOn: [String]

    public init(recipe: String, category: String? = nil, architectures: [RecipeArchitecture], components: [Component], instances: Int = 1,
                allowSameDevice: Bool = false, group: String? = nil, notOn: [String] = []) {
        self.recipe = recipe
        self.category = category
        self.architectures = architectures
        self.components = components
        self.instances = instances
        self.allowSameDevice = allowSameDevice
        self.group = group
        self.notOn = notOn
    }

    /// The request for a recipe: requirements as written, ports as its detail renders them with default
    /// inputs, and links between components (every component linked to those with a `port` under auto_link,
    /// or to those whose address it names).
    public init(recipe: Recipe, instances: Int = 1, group: String? = nil, notOn: [String] = []) {
        let detail = RecipeDetail(recipe, catalog: "")
        let components = recipe.components.map { component -> Component in
            let ports = detail.components.first { $0.name == component.name }?.publishes ?? []
            let others = recipe.components.filter { $0.name != component.name }
            let links = others.filter { recipe.autoLink && $0.port != nil || component.mentions($0.name) }.map(\.name)
            return Component(name: component.name, memoryBytes: component.requirements.memoryBytes ?? 0,
                             storageBytes: component.requirements.storageBytes ?? 0, cpuWeight: component.requirements.cpuWeight,
                             gpu: component.requirements.gpu, alwaysOn: component.requirements.alwaysOn, prefer: component.prefer,
                             ports: ports, links: links)
        }
        self.init(recipe: recipe.id, category: recipe.category.rawValue, architectures: recipe.architectures, components: components,
                  instances: instances, group: group, notOn: notOn)
    }
}

extension RecipeComponent {
    /// Whether its compose fragment names `${component.OTHER.…}`.
    func mentions(_ other: String) -> Bool {
        func walk(_ tree: ComposeTree) -> Bool {
            switch tree {
            case .scalar(let text, _, _): text.contains("${component.\(other).")
            case .list(let items, _): items.contains(where: walk)
            case .map(let entries, _): entries.contains { walk($0.value) }
            }
        }
        return walk(compose)
    }
}

/// `POST /v1/recommendations`: a catalog recipe (or a recipe's YAML text) and the constraints on where it may go.
public struct RecommendationRequest: Codable, Sendable, Equatable {
    /// A catalog recipe id; or `recipeYAML`.
    public var recipe: String?
    /// A recipe's YAML text (`homelab recommend ./app.yaml`), with its file name for the problems it has.
    public var recipeYAML: String?
    public var recipeFile: String?
    public var instances: Int?
    public var group: String?
    public var notOn: [String]?
    public var allowSameDevice: Bool?

    public init(recipe: String? = nil, recipeYAML: String? = nil, recipeFile: String? = nil, instances: Int? = nil, group: String? = nil,
                notOn: [String]? = nil, allowSameDevice: Bool? = nil) {
        self.recipe = recipe
        self.recipeYAML = recipeYAML
        self.recipeFile = recipeFile
        self.instances = instances
        self.group = group
        self.notOn = notOn
        self.allowSameDevice = allowSameDevice
    }

    /// The placement request for `recipe` with these constraints.
    public func placement(for recipe: Recipe) -> PlacementRequest {
        var request = PlacementRequest(recipe: recipe, instances: instances ?? 1, group: group, notOn: notOn ?? [])
        request.allowSameDevice = allowSameDevice ?? false
        return request
    }
}
