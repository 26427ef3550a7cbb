import Foundation
import Protocol

/// What a deployment supplies to render a recipe.
public struct RenderContext: Sendable, Equatable {
    public var deploymentName: String
    public var deploymentID: String
    /// Every input's value (see `RecipeRenderer.resolveInputs`).
    public var inputs: [String: String]
    /// Every secret's value (see `RecipeRenderer.secrets`).
    public var secrets: [String: String]
    /// The address of the device each component runs on.
    public var hosts: [String: String]
    public var timezone: String
    public var uid: Int
    public var gid: Int
    public var domain: String

    public init(deploymentName: String, deploymentID: String, inputs: [String: String] = [:], secrets: [String: String] = [:],
                hosts: [String: String] = [:], timezone: String = "Etc/UTC", uid: Int = 1000, gid: Int = 1000, domain: String = "home.arpa") {
        self.deploymentName = deploymentName
        self.deploymentID = deploymentID
        self.inputs = inputs
        self.secrets = secrets
        self.hosts = hosts
        self.timezone = timezone
        self.uid = uid
        self.gid = gid
        self.domain = domain
    }
}

/// A recipe rendered for one deployment: a stack per component, and the texts for the user.
public struct RenderedRecipe: Sendable, Equatable {
    public struct Component: Sendable, Equatable {
        public var name: String
        public var stack: StackSpec
        /// The host port other components reach it on.
        public var port: Int?
    }
    public struct Web: Sendable, Equatable {
        public var component: String
        public var port: Int
        public var path: String
        public var scheme: String
    }
    public var components: [Component]
    public var web: Web?
    public var notes: String?

    public func component(_ name: String) -> Component? { components.first { $0.name == name } }
}

/// Renders recipes: values are substituted into the parsed document, never into its text.
public enum RecipeRenderer {
    /// The stack name of a component: the deployment's name, suffixed by the component's when there are several.
    public static func stackName(deployment: String, component: String, of recipe: Recipe) -> String {
        recipe.components.count == 1 ? deployment : "\(deployment)-\(component)"
    }

    /// Every input's value: those given, checked; defaults for the rest; `random` ones generated.
    /// Problems name `source` (e.g. `--set`) and the input.
    public static func resolveInputs(_ recipe: Recipe, given: [String: String], source: String = "inputs") throws(RecipeProblems) -> [String: String] {
        var problems: [RecipeProblem] = []
        func fail(_ name: String, _ message: String) {
            problems.append(RecipeProblem(file: source, line: 0, column: 0, field: name, message: message))
        }
        for name in given.keys.sorted() where !recipe.inputs.contains(where: { $0.name == name }) {
            let known = recipe.inputs.map(\.name)
            fail(name, "\(recipe.id) has no such input\(known.isEmpty ? "" : " (it has: \(known.joined(separator: ", ")))")")
        }
        var values: [String: String] = [:]
        for input in recipe.inputs {
            if let value = given[input.name] {
                if let problem = InputReader.problem(with: value, for: input) { fail(input.name, problem) }
                values[input.name] = value
            } else if let value = input.defaultValue {
                values[input.name] = value
            } else if input.type == .random {
                values[input.name] = generate(length: input.length ?? 32, charset: input.charset ?? .alphanumeric)
            } else if input.required {
                fail(input.name, "is required (\(input.label ?? input.type.rawValue)); give it with \(input.name)=VALUE")
            } else {
                values[input.name] = ""
            }
        }
        guard problems.isEmpty else { throw RecipeProblems(problems) }
        return values
    }

    /// Every secret's value: those kept in `existing`, new ones generated.
    public static func secrets(_ recipe: Recipe, existing: [String: String] = [:]) -> [String: String] {
        var values: [String: String] = [:]
        for secret in recipe.secrets {
            values[secret.name] = existing[secret.name] ?? generate(length: secret.length, charset: secret.charset)
        }
        return values
    }

    /// `length` characters of `charset`, from the system's random source.
    public static func generate(length: Int, charset: SecretCharset) -> String {
        var generator = SystemRandomNumberGenerator()
        let characters = charset.characters
        return String((0..<length).map { _ in characters.randomElement(using: &generator)! })
    }

    /// Renders `recipe`; problems name `file` with the place each value was written.
    public static func render(_ recipe: Recipe, _ context: RenderContext, file: String) throws(RecipeProblems) -> RenderedRecipe {
        var reader = TreeReader(file: file)
        // Each component's port, rendered once below (before the fragments that name it); a port that failed
        // to render is "" so the one problem is not reported again where it is used.
        var ports: [String: String] = [:]
        let value = { (variable: TemplateVariable) -> String? in
            switch variable {
            case .input(let name): context.inputs[name]
            case .secret(let name): context.secrets[name]
            case .deployment(let field):
                switch field {
                case .name: context.deploymentName
                case .id: context.deploymentID
                case .timezone: context.timezone
                case .uid: String(context.uid)
                case .gid: String(context.gid)
                case .domain: context.domain
                }
            case .componentHost(let name): context.hosts[name]
            case .componentPort(let name): ports[name]
            }
        }
        func substitute(_ text: String, _ place: Place, _ reader: inout TreeReader) -> String? {
            let template: Template
            do { template = try Template(parsing: text) } catch {
                reader.fail(place, error.message)
                return nil
            }
            var failed = false
            let out = template.render { variable in
                guard let found = value(variable) else {
                    reader.fail(place, Self.unknown(variable, recipe: recipe))
                    failed = true
                    return ""
                }
                return found
            }
            return failed ? nil : out
        }
        func port(_ text: String?, _ place: Place, _ reader: inout TreeReader) -> Int? {
            guard let text, let rendered = substitute(text, place, &reader) else { return nil }
            guard let port = Int(rendered), (1...65535).contains(port) else {
                reader.fail(place, "\"\(rendered)\" is not a port (1-65535)")
                return nil
            }
            return port
        }

        var componentPorts: [String: Int] = [:]
        for (index, component) in recipe.components.enumerated() where component.port != nil {
            let rendered = port(component.port, Place(line: component.compose.place.line, column: 0, path: "components[\(index)].port"), &reader)
            componentPorts[component.name] = rendered
            ports[component.name] = rendered.map(String.init) ?? ""
        }
        var components: [RenderedRecipe.Component] = []
        for component in recipe.components {
            var normalizer = ComposeNormalizer(reader: reader) { text, place, reader in substitute(text, place, &reader) }
            let name = stackName(deployment: context.deploymentName, component: component.name, of: recipe)
            var json = normalizer.stack(component.compose, name: name, deployment: context.deploymentName)
            reader = normalizer.reader
            if recipe.autoLink { link(&json, component: component, recipe: recipe, ports: componentPorts, hosts: context.hosts, reader: &reader) }
            guard let stack = decode(json, component: component, file: file, reader: &reader) else { continue }
            components.append(.init(name: component.name, stack: stack, port: componentPorts[component.name]))
        }
        var web: RenderedRecipe.Web?
        if let entry = recipe.web {
            let place = Place(line: 0, column: 0, path: "web")
            if let webPort = port(entry.port, place, &reader), let path = substitute(entry.path, place, &reader) {
                web = .init(component: entry.component, port: webPort, path: path, scheme: entry.scheme)
            }
        }
        let notes = recipe.notes.flatMap { substitute($0, Place(line: 0, column: 0, path: "notes"), &reader) }
        guard reader.problems.isEmpty else { throw RecipeProblems(reader.problems) }
        return RenderedRecipe(components: components, web: web, notes: notes)
    }

    static func unknown(_ variable: TemplateVariable, recipe: Recipe) -> String {
        switch variable {
        case .input: "\(variable) names no input of this recipe" + (recipe.inputs.isEmpty ? "" : " (inputs: \(recipe.inputs.map(\.name).joined(separator: ", ")))")
        case .secret: "\(variable) names no secret of this recipe" + (recipe.secrets.isEmpty ? "" : " (secrets: \(recipe.secrets.map(\.name).joined(separator: ", ")))")
        case .componentHost(let name) where recipe.component(name) != nil: "the address of component \(name) is not known (where it runs is decided at deploy time)"
        case .componentPort(let name) where recipe.component(name) != nil: "component \(name) has no port"
        case .componentHost, .componentPort: "\(variable) names no component of this recipe (components: \(recipe.components.map(\.name).joined(separator: ", ")))"
        case .deployment: "\(variable) has no value"
        }
    }

    /// `NAME_HOST` / `NAME_PORT` of every other component with a rendered port, into each service's environment
    /// unless the service sets them itself.
    static func link(_ json: inout [String: Any], component: RecipeComponent, recipe: Recipe, ports: [String: Int], hosts: [String: String],
                     reader: inout TreeReader) {
        guard var services = json["services"] as? [String: Any] else { return }
        for other in recipe.components where other.name != component.name {
            guard let port = ports[other.name] else { continue }
            guard let host = hosts[other.name] else {
                reader.fail(Place(line: 0, column: 0, path: "networking.auto_link"), "the address of component \(other.name) is not known (where it runs is decided at deploy time)")
                continue
            }
            let prefix = other.name.uppercased().replacingOccurrences(of: "-", with: "_")
            for (name, value) in services {
                guard var service = value as? [String: Any] else { continue }
                var environment = service["environment"] as? [String: String] ?? [:]
                if environment["\(prefix)_HOST"] == nil { environment["\(prefix)_HOST"] = host }
                if environment["\(prefix)_PORT"] == nil { environment["\(prefix)_PORT"] = String(port) }
                service["environment"] = environment
                services[name] = service
            }
        }
        json["services"] = services
    }

    /// The normalized JSON as a `StackSpec`, checked by the runtime's own rules; problems placed where written.
    static func decode(_ json: [String: Any], component: RecipeComponent, file: String, reader: inout TreeReader) -> StackSpec? {
        let places = PlaceIndex(component.compose)
        let stack: StackSpec
        do {
            let data = try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys])
            stack = try JSONDecoder().decode(StackSpec.self, from: data)
        } catch {
            // The normalizer reported what it could not read; a decoding failure left is named by path.
            if reader.problems.isEmpty { reader.fail(places.place(for: ""), WireCoding.describe(error)) }
            return nil
        }
        for problem in stack.problems() {
            reader.fail(places.place(for: problem.field), problem.message)
        }
        return stack
    }
}

/// Field paths of a compose fragment (relative to it) to where they were written.
struct PlaceIndex {
    private var places: [String: Place] = [:]
    private let root: Place

    init(_ tree: ComposeTree) {
        root = tree.place
        let prefix = tree.place.path + "."
        func walk(_ tree: ComposeTree) {
            let path = tree.place.path.hasPrefix(prefix) ? String(tree.place.path.dropFirst(prefix.count)) : tree.place.path
            places[path] = tree.place
            switch tree {
            case .scalar: break
            case .list(let items, _): items.forEach(walk)
            case .map(let entries, _): entries.forEach { walk($0.value) }
            }
        }
        walk(tree)
    }

    /// The place of `field`, or of its nearest written ancestor; the path reported is the whole one.
    func place(for field: String) -> Place {
        var path = field
        while !path.isEmpty {
            if let place = places[path] { return Place(line: place.line, column: place.column, path: root.path + "." + field) }
            if let cut = path.lastIndex(where: { $0 == "." || $0 == "[" }) { path = String(path[..<cut]) } else { path = "" }
        }
        return Place(line: root.line, column: root.column, path: field.isEmpty ? root.path : root.path + "." + field)
    }
}
