/// The checks a recipe passes beyond its shape: names unique, references resolve, every template's
/// variables declared, and the compose fragments valid for the runtime once rendered with sample values.
enum RecipeChecks {
    static func problems(of recipe: Recipe, file: String) -> [RecipeProblem] {
        var problems: [RecipeProblem] = []
        func fail(_ path: String, _ message: String, at place: Place? = nil) {
            problems.append(RecipeProblem(file: file, line: place?.line ?? 0, column: place?.column ?? 0, field: path, message: message))
        }
        for (what, names) in [("input", recipe.inputs.map(\.name)), ("secret", recipe.secrets.map(\.name)), ("component", recipe.components.map(\.name))] {
            for name in Set(names) where names.filter({ $0 == name }).count > 1 { fail("\(what)s", "the \(what) \(name) is declared more than once") }
        }
        func services(of component: String) -> [String]? {
            recipe.component(component).map { $0.compose["services"]?.entries?.map(\.key) ?? [] }
        }
        if let web = recipe.web {
            if let names = services(of: web.component) {
                if let service = web.service, !names.contains(service) { fail("web.service", "component \(web.component) has no service \(service)") }
            } else {
                fail("web.component", "names no component (components: \(recipe.components.map(\.name).joined(separator: ", ")))")
            }
        }
        for (index, hint) in recipe.health.enumerated() {
            if let names = services(of: hint.component) {
                if !names.contains(hint.service) { fail("health[\(index)].service", "component \(hint.component) has no service \(hint.service)") }
            } else {
                fail("health[\(index)].component", "names no component")
            }
        }
        guard problems.isEmpty else { return problems }
        // Render with sample values: every variable must be declared and every fragment valid.
        do {
            _ = try RecipeRenderer.render(recipe, sampleContext(recipe), file: file)
        } catch {
            problems += error.problems
        }
        return problems
    }

    /// Defaults (or samples), placeholder secrets and documentation addresses (192.0.2.0/24) for every component.
    static func sampleContext(_ recipe: Recipe) -> RenderContext {
        RenderContext(
            deploymentName: recipe.id, deploymentID: "00000000-0000-0000-0000-000000000000",
            inputs: Dictionary(recipe.inputs.map { ($0.name, $0.defaultValue ?? sample(for: $0)) }) { first, _ in first },
            secrets: Dictionary(recipe.secrets.map { ($0.name, String(repeating: "x", count: $0.length)) }) { first, _ in first },
            hosts: Dictionary(recipe.components.map { ($0.name, "192.0.2.10") }) { first, _ in first })
    }

    /// A value of the input's type, for checking a recipe without a deployment.
    static func sample(for input: RecipeInput) -> String {
        switch input.type {
        case .text, .password: "sample"
        case .email: "admin@example.com"
        case .number: String(input.min ?? 1)
        case .boolean: "false"
        case .select: input.options?.first ?? ""
        case .fqdn: "app.example.com"
        case .ip: "192.0.2.1"
        case .url: "https://app.example.com"
        case .port: "8080"
        case .random: String(repeating: "x", count: input.length ?? 32)
        }
    }
}
