import Foundation
import Protocol

/// Reads and checks recipes: every problem at once, each with file, line, column and field path.
public enum RecipeLoader {
    static let topFields = ["id", "name", "tagline", "description", "category", "icon", "homepage", "source", "version", "maintainer",
                            "architectures", "inputs", "secrets", "networking", "components", "web", "health", "notes"]

    /// Loads the recipe file at `path`; its id must be the file name without `.yaml`.
    public static func load(path: String, displayName: String? = nil) throws(RecipeProblems) -> Recipe {
        try loadWithText(path: path, displayName: displayName).recipe
    }

    /// ``load(path:displayName:)``, with the file's text (what a deployment keeps of its recipe).
    public static func loadWithText(path: String, displayName: String? = nil) throws(RecipeProblems) -> (recipe: Recipe, text: String) {
        let name = displayName ?? path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RecipeProblems([RecipeProblem(file: name, line: 0, column: 0, field: "", message: "cannot read the file")])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw RecipeProblems([RecipeProblem(file: name, line: 0, column: 0, field: "", message: "the file is not UTF-8 text")])
        }
        let recipe = try parse(text, file: name)
        let base = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        guard base == recipe.id else {
            throw RecipeProblems([RecipeProblem(file: name, line: 0, column: 0, field: "id",
                                                message: "is \"\(recipe.id)\" but the file is named \(base).yaml; they must match")])
        }
        return (recipe, text)
    }

    /// Parses and checks a recipe's text; `file` names it in problems.
    public static func parse(_ text: String, file: String) throws(RecipeProblems) -> Recipe {
        let tree = try YAMLSource.parse(text, file: file)
        var reader = TreeReader(file: file)
        let recipe = read(tree, &reader)
        guard reader.problems.isEmpty, let recipe else { throw RecipeProblems(reader.problems) }
        let checks = RecipeChecks.problems(of: recipe, file: file)
        guard checks.isEmpty else { throw RecipeProblems(checks) }
        return recipe
    }

    /// `[a-z0-9][a-z0-9-]*`, at most 63: the ``SafeName`` rule of recipe ids (they name files).
    public static func isID(_ text: String) -> Bool {
        SafeName.isValid(text, .recipeID)
    }

    /// `[A-Z][A-Z0-9_]*`.
    static func isVariableName(_ text: String) -> Bool {
        guard let first = text.first, first.isASCII, first.isUppercase else { return false }
        return text.allSatisfy { $0.isASCII && ($0.isUppercase || $0.isNumber || $0 == "_") }
    }

    /// `[a-z][a-z0-9-]*`.
    static func isComponentName(_ text: String) -> Bool {
        guard let first = text.first, first.isASCII, first.isLowercase else { return false }
        return isID(text)
    }

    static func read(_ tree: ComposeTree, _ reader: inout TreeReader) -> Recipe? {
        guard reader.map(tree, allowed: topFields, what: "a mapping of recipe fields") != nil else { return nil }
        func text(_ key: String, required: Bool = false) -> String? {
            guard let value = required ? reader.required(tree, key) : tree[key], !value.isNull else { return nil }
            return reader.string(value)
        }
        let id = text("id", required: true)
        if let id, let node = tree["id"], !isID(id) {
            reader.fail(node, "\"\(id)\" is not an id: lower-case letters, digits and '-', starting with a letter or digit, at most 63")
        }
        let name = text("name", required: true)
        let tagline = text("tagline", required: true)
        if let tagline, tagline.count > 120, let node = tree["tagline"] { reader.fail(node, "has \(tagline.count) characters; at most 120") }
        let category = reader.required(tree, "category").flatMap { reader.choice($0, RecipeCategory.self, what: "a category") }
        var urls: [String: String] = [:]
        for key in ["icon", "homepage", "source"] {
            guard let value = text(key) else { continue }
            if !(value.hasPrefix("https://") || value.hasPrefix("http://")), let node = tree[key] {
                reader.fail(node, "\"\(value)\" is not an http(s):// URL")
            }
            urls[key] = value
        }
        let version = text("version", required: true)
        var architectures: [RecipeArchitecture] = []
        if let node = reader.required(tree, "architectures"), let items = reader.list(node) {
            architectures = items.compactMap { reader.choice($0, RecipeArchitecture.self, what: "an architecture") }
            if items.isEmpty { reader.fail(node, "must name at least one architecture") }
        }
        let inputs = (tree["inputs"].flatMap { reader.list($0) } ?? []).compactMap { InputReader.read($0, &reader) }
        let secrets = (tree["secrets"].flatMap { reader.list($0) } ?? []).compactMap { readSecret($0, &reader) }
        var autoLink = false
        if let networking = tree["networking"], reader.map(networking, allowed: ["auto_link"]) != nil, let value = networking["auto_link"] {
            autoLink = reader.bool(value) ?? false
        }
        var components: [RecipeComponent] = []
        if let node = reader.required(tree, "components"), let items = reader.list(node) {
            components = items.compactMap { readComponent($0, &reader) }
            if items.isEmpty { reader.fail(node, "must hold at least one component") }
        }
        let web = tree["web"].flatMap { readWeb($0, components: components, &reader) }
        let health = (tree["health"].flatMap { reader.list($0) } ?? []).compactMap { readHealth($0, components: components, &reader) }
        let notes = text("notes")
        guard let id, let name, let tagline, let category, let version else { return nil }
        return Recipe(id: id, name: name, tagline: tagline, description: text("description"), category: category, icon: urls["icon"],
                      homepage: urls["homepage"], source: urls["source"], version: version, maintainer: text("maintainer"),
                      architectures: architectures, inputs: inputs, secrets: secrets, autoLink: autoLink, components: components,
                      web: web, health: health, notes: notes)
    }

    static func readSecret(_ tree: ComposeTree, _ reader: inout TreeReader) -> RecipeSecret? {
        guard reader.map(tree, allowed: ["name", "length", "charset", "description"]) != nil else { return nil }
        guard let name = reader.required(tree, "name").flatMap({ reader.string($0) }) else { return nil }
        if !isVariableName(name), let node = tree["name"] {
            reader.fail(node, "\"\(name)\" is not a name: upper-case letters, digits and '_', starting with a letter")
        }
        let length = tree["length"].flatMap { reader.int($0, in: 8...256) } ?? 32
        let charset = tree["charset"].flatMap { reader.choice($0, SecretCharset.self, what: "a charset") } ?? .alphanumeric
        return RecipeSecret(name: name, length: length, charset: charset)
    }

    static func readComponent(_ tree: ComposeTree, _ reader: inout TreeReader) -> RecipeComponent? {
        guard reader.map(tree, allowed: ["name", "port", "requirements", "placement", "compose", "backup"]) != nil else { return nil }
        let name = reader.required(tree, "name").flatMap { reader.string($0) }
        if let name, !isComponentName(name), let node = tree["name"] {
            reader.fail(node, "\"\(name)\" is not a component name: lower-case letters, digits and '-', starting with a letter")
        }
        let port = tree["port"].flatMap { reader.string($0) }
        var requirements = Requirements()
        if let node = tree["requirements"], reader.map(node, allowed: ["memory", "storage", "cpu_weight", "gpu", "always_on"]) != nil {
            requirements.memoryBytes = node["memory"].flatMap { reader.size($0) }
            requirements.storageBytes = node["storage"].flatMap { reader.size($0) }
            requirements.cpuWeight = node["cpu_weight"].flatMap { reader.int($0, in: 1...10) } ?? 1
            requirements.gpu = node["gpu"].flatMap { reader.bool($0) } ?? false
            requirements.alwaysOn = node["always_on"].flatMap { reader.bool($0) } ?? false
        }
        var prefer: [DeviceTrait] = []
        if let node = tree["placement"], reader.map(node, allowed: ["prefer"]) != nil, let list = node["prefer"].flatMap({ reader.list($0) }) {
            prefer = list.compactMap { reader.choice($0, DeviceTrait.self, what: "a device trait") }
        }
        guard let compose = reader.required(tree, "compose") else { return nil }
        if reader.map(compose, allowed: ComposeNormalizer.topLevelKeys, what: "a compose fragment (services, volumes, networks)") != nil {
            _ = reader.required(compose, "services")
        }
        let backup = tree["backup"].flatMap { readBackup($0, compose: compose, &reader) }
        guard let name else { return nil }
        return RecipeComponent(name: name, port: port, requirements: requirements, prefer: prefer, compose: compose, backup: backup)
    }

    static func readWeb(_ tree: ComposeTree, components: [RecipeComponent], _ reader: inout TreeReader) -> WebEntry? {
        guard reader.map(tree, allowed: ["component", "service", "port", "path", "scheme"]) != nil else { return nil }
        var component = tree["component"].flatMap { reader.string($0) }
        if component == nil {
            if components.count == 1 { component = components[0].name } else { _ = reader.required(tree, "component") }
        }
        let port = reader.required(tree, "port").flatMap { reader.string($0) }
        let scheme = tree["scheme"].flatMap { reader.string($0) } ?? "http"
        if !["http", "https"].contains(scheme), let node = tree["scheme"] { reader.fail(node, "\"\(scheme)\" is not http or https") }
        guard let component, let port else { return nil }
        return WebEntry(component: component, service: tree["service"].flatMap { reader.string($0) }, port: port,
                        path: tree["path"].flatMap { reader.string($0) } ?? "/", scheme: scheme)
    }

    static func readHealth(_ tree: ComposeTree, components: [RecipeComponent], _ reader: inout TreeReader) -> HealthHint? {
        guard reader.map(tree, allowed: ["component", "service", "http", "tcp"]) != nil else { return nil }
        var component = tree["component"].flatMap { reader.string($0) }
        if component == nil, components.count == 1 { component = components[0].name }
        let service = reader.required(tree, "service").flatMap { reader.string($0) }
        var probe: HealthHint.Probe?
        switch (tree["http"], tree["tcp"]) {
        case (let http?, nil):
            if reader.map(http, allowed: ["port", "path"]) != nil, let port = reader.required(http, "port").flatMap({ reader.int($0, in: 1...65535) }) {
                probe = .http(port: port, path: http["path"].flatMap { reader.string($0) } ?? "/")
            }
        case (nil, let tcp?):
            probe = reader.int(tcp, in: 1...65535).map { .tcp(port: $0) }
        default:
            reader.fail(tree, "needs exactly one of http or tcp")
        }
        if component == nil { _ = reader.required(tree, "component") }
        guard let component, let service, let probe else { return nil }
        return HealthHint(component: component, service: service, probe: probe)
    }
}
