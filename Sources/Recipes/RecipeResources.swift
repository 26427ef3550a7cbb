import Protocol

/// `GET /v1/recipes`: one line of the catalog.
public struct RecipeSummary: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var tagline: String
    public var category: RecipeCategory
    public var version: String
    public var architectures: [RecipeArchitecture]
    public var icon: String?
    public var components: [String]
    /// The catalog folder it was loaded from.
    public var catalog: String

    public init(_ recipe: Recipe, catalog: String) {
        id = recipe.id
        name = recipe.name
        tagline = recipe.tagline
        category = recipe.category
        version = recipe.version
        architectures = recipe.architectures
        icon = recipe.icon
        components = recipe.components.map(\.name)
        self.catalog = catalog
    }
}

/// `GET /v1/recipes/{id}`: everything a form and a placement need.
public struct RecipeDetail: Codable, Sendable, Equatable {
    public struct Component: Codable, Sendable, Equatable {
        public var name: String
        /// Template text of the port other components reach it on.
        public var port: String?
        public var requirements: Requirements
        public var prefer: [DeviceTrait]
        public var services: [String]
        /// The images, by service.
        public var images: [String: String]
        /// The host ports it publishes with the default inputs, as `8080/tcp`: what must be free on its device.
        public var publishes: [String]
    }
    public var summary: RecipeSummary
    public var description: String?
    public var homepage: String?
    public var source: String?
    public var maintainer: String?
    public var inputs: [RecipeInput]
    public var secrets: [RecipeSecret]
    public var autoLink: Bool
    public var components: [Component]
    public var web: WebEntry?
    public var health: [HealthHint]
    /// Template text.
    public var notes: String?

    public init(_ recipe: Recipe, catalog: String) {
        summary = RecipeSummary(recipe, catalog: catalog)
        description = recipe.description
        homepage = recipe.homepage
        source = recipe.source
        maintainer = recipe.maintainer
        inputs = recipe.inputs
        secrets = recipe.secrets
        autoLink = recipe.autoLink
        web = recipe.web
        health = recipe.health
        notes = recipe.notes
        let rendered = try? RecipeRenderer.render(recipe, RecipeChecks.sampleContext(recipe), file: recipe.id)
        components = recipe.components.map { component in
            let stack = rendered?.component(component.name)?.stack
            let publishes = (stack?.services.values.flatMap { $0.ports ?? [] } ?? []).compactMap { port in
                port.published.map { "\($0)/\(port.transport)" }
            }
            return Component(name: component.name, port: component.port, requirements: component.requirements, prefer: component.prefer,
                             services: component.compose["services"]?.entries?.map(\.key) ?? [],
                             images: stack?.services.mapValues(\.image) ?? [:], publishes: publishes.sorted())
        }
    }
}

/// `POST /v1/recipes/{id}/render`: what to render with.
public struct RenderRequest: Codable, Sendable, Equatable {
    /// The deployment's name (default: the recipe id).
    public var name: String?
    public var inputs: [String: String]
    /// Device addresses by component, for `${component.NAME.host}`.
    public var hosts: [String: String]?
    public init(name: String? = nil, inputs: [String: String] = [:], hosts: [String: String]? = nil) {
        self.name = name
        self.inputs = inputs
        self.hosts = hosts
    }
}

/// What `render` answers: a compose document per component (secrets generated for this preview only).
public struct RenderResponse: Codable, Sendable, Equatable {
    public struct Component: Codable, Sendable, Equatable {
        public var name: String
        /// The stack (compose project) name.
        public var stack: String
        /// The compose file, `$` written `$$`.
        public var compose: String
    }
    public var components: [Component]
    public var web: String?
    public var notes: String?

    public init(components: [Component], web: String?, notes: String?) {
        self.components = components
        self.web = web
        self.notes = notes
    }

    /// Renders `recipe` as a preview: fresh secrets, hosts as given (a one-component recipe needs none).
    public static func preview(_ recipe: Recipe, _ request: RenderRequest, source: String = "inputs") throws(RecipeProblems) -> RenderResponse {
        let name = request.name ?? recipe.id
        let context = RenderContext(deploymentName: name, deploymentID: "preview",
                                    inputs: try RecipeRenderer.resolveInputs(recipe, given: request.inputs, source: source),
                                    secrets: RecipeRenderer.secrets(recipe), hosts: request.hosts ?? [:])
        let rendered = try RecipeRenderer.render(recipe, context, file: recipe.id)
        var components: [Component] = []
        for component in rendered.components {
            do {
                components.append(Component(name: component.name, stack: component.stack.name, compose: try ComposeFile.text(of: component.stack)))
            } catch {
                throw RecipeProblems([RecipeProblem(file: recipe.id, line: 0, column: 0, field: "components.\(component.name)",
                                                    message: "the rendered stack cannot be written as a compose file: \(error)")])
            }
        }
        let web = rendered.web.map { "\($0.scheme)://\(request.hosts?[$0.component] ?? "DEVICE-ADDRESS"):\($0.port)\($0.path)" }
        return RenderResponse(components: components, web: web, notes: rendered.notes)
    }
}

/// `GET /v1/catalog`: the folders read, and the recipes that did not load.
public struct CatalogStatus: Codable, Sendable, Equatable {
    public var directories: [String]
    public var recipes: Int
    public var problems: [RecipeProblem]
    public var loadedAt: String
    public init(directories: [String], recipes: Int, problems: [RecipeProblem], loadedAt: String) {
        self.directories = directories
        self.recipes = recipes
        self.problems = problems
        self.loadedAt = loadedAt
    }
}
