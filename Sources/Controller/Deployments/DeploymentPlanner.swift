import Foundation
import Protocol
import Recipes
import Scheduler

/// A deploy request checked and turned into what is stored: the resource, its sealed part, the first steps.
struct PreparedDeployment: Sendable {
    /// The id of the deployment it redeploys, nil for a new one.
    var previousID: String?
    var resource: DeploymentResource
    var secret: DeploymentPrivate
    var steps: [(component: String?, message: String)]
}

extension DeploymentService {
    /// Checks a deploy request and decides everything about it; throws what the user must fix.
    func prepare(_ request: DeployRequest, now: Date) async throws -> PreparedDeployment {
        let (recipe, text, file) = try recipe(of: request)
        let name = request.name ?? recipe.id
        guard RecipeLoader.isID(name), name.count <= 40 else {
            throw ControllerError.badRequest("\"\(name)\" is not a deployment name: lower-case letters, digits and -, at most 40, starting with a letter or digit")
        }
        var previous: (resource: DeploymentResource, secret: DeploymentPrivate)?
        if let existing = try? await load(name) {
            guard existing.resource.recipe == recipe.id else {
                throw ControllerError.conflict("\(name) is a deployment of \(existing.resource.recipe), not \(recipe.id): choose another --name")
            }
            try idleCheck(existing.resource)
            previous = existing
        }
        let id = previous?.resource.id ?? UUID().uuidString.lowercased()
        // Inputs: the current ones (a redeploy), then those given; a redeploy keeps its generated secrets.
        var given = (previous?.secret.inputs ?? [:]).filter { key, _ in recipe.inputs.contains { $0.name == key } }
        given.merge(request.inputs ?? [:]) { _, new in new }
        let inputs: [String: String]
        do { inputs = try RecipeRenderer.resolveInputs(recipe, given: given, source: "--set") } catch {
            throw ControllerError.invalidInputs(error.problems.map { "\($0.field): \($0.message)" }.joined(separator: "\n"))
        }
        let secrets = RecipeRenderer.secrets(recipe, existing: previous?.secret.secrets ?? [:])
        // A previous version that ran is what a failed upgrade goes back to, and where its components stay.
        let ran = previous.flatMap { [.running, .stopped].contains($0.resource.state) ? $0 : nil }
        var (components, steps) = try await place(recipe, name: name, deploymentID: id, devices: request.devices ?? [], staying: ran?.resource.components ?? [])
        let hosts = Dictionary(uniqueKeysWithValues: components.map { ($0.name, $0.address ?? $0.device) })
        let rendered: RenderedRecipe
        do {
            rendered = try RecipeRenderer.render(recipe, RenderContext(deploymentName: name, deploymentID: id, inputs: inputs, secrets: secrets,
                                                                       hosts: hosts, timezone: settings.timezone, domain: settings.proxy.domain), file: file)
        } catch {
            throw ControllerError(code: "invalid_recipe", status: 422, message: error.problems.map(\.description).joined(separator: "\n"))
        }
        var stacks = Dictionary(uniqueKeysWithValues: rendered.components.map { ($0.name, $0.stack) })
        for index in components.indices {
            components[index].port = rendered.component(components[index].name)?.port
            components[index].published = stacks[components[index].name]?.services.values.flatMap { service in
                (service.ports ?? []).compactMap { port in port.published.map { "\($0)/\(port.transport)" } }
            }.sorted() ?? []
        }
        // The web entry: the URL to open, and the proxy route when exposed.
        let expose = request.expose ?? previous?.resource.exposed ?? false
        var url: String?
        var upstream: String?
        if let web = rendered.web, let component = components.first(where: { $0.name == web.component }) {
            let address = component.address ?? component.device
            url = "\(web.scheme)://\(address):\(web.port)\(web.path)"
            if expose {
                switch settings.proxy.kind {
                case .none:
                    throw ControllerError.badRequest("--expose needs a reverse proxy: start the controller with --proxy caddy or --proxy traefik")
                case .caddy:
                    upstream = "\(address):\(web.port)"
                case .traefik:
                    guard var stack = stacks[web.component], let (service, target) = Self.webService(stack, port: web.port) else {
                        throw ControllerError.badRequest("\(recipe.id): no service of \(web.component) publishes the web port \(web.port)")
                    }
                    TraefikLabels.apply(to: &stack, service: service, containerPort: target, router: name, host: settings.proxy.host(for: name),
                                        settings: settings.proxy)
                    stacks[web.component] = stack
                }
                url = settings.proxy.url(for: name, path: web.path)
            }
        } else if expose {
            throw ControllerError.badRequest("\(recipe.id) has no web entry to expose")
        }
        let order = Self.startOrder(recipe)
        components.sort { order.firstIndex(of: $0.name)! < order.firstIndex(of: $1.name)! }
        let passwords = Set(recipe.inputs.filter { $0.type == .password }.map(\.name))
        let resource = DeploymentResource(
            id: id, name: name, recipe: recipe.id, recipeVersion: recipe.version, category: recipe.category.rawValue, state: .pending,
            components: components, inputs: inputs.filter { !passwords.contains($0.key) }, url: url, exposed: expose, error: nil,
            createdAt: previous?.resource.createdAt ?? now, updatedAt: now)
        let secret = DeploymentPrivate(
            recipeText: text, recipeFile: file, inputs: inputs, secrets: secrets, stacks: stacks, notes: rendered.notes, proxyUpstream: upstream,
            healthTimeout: request.healthTimeout ?? settings.healthTimeout,
            previous: ran.map { .init(components: $0.resource.components, stacks: $0.secret.stacks, recipeVersion: $0.resource.recipeVersion,
                                      url: $0.resource.url, proxyUpstream: $0.secret.proxyUpstream, inputs: $0.secret.inputs,
                                      shownInputs: $0.resource.inputs) })
        steps.insert((nil, ran != nil ? "Redeploying \(name) (\(recipe.id) \(recipe.version), was \(ran!.resource.recipeVersion))"
                                      : "Deploying \(name) (\(recipe.id) \(recipe.version))"), at: 0)
        return PreparedDeployment(previousID: previous?.resource.id, resource: resource, secret: secret, steps: steps)
    }

    /// The recipe of a request: a catalog id, or YAML text sent with the request.
    func recipe(of request: DeployRequest) throws -> (Recipe, String, String) {
        try recipe(id: request.recipe, yaml: request.recipeYAML, file: request.recipeFile)
    }

    /// A catalog recipe by `id`, or the recipe in `yaml` (named `file` in its problems); with its text and file name.
    func recipe(id: String?, yaml: String?, file: String?) throws -> (Recipe, String, String) {
        if let text = yaml {
            let file = file ?? "recipe.yaml"
            do { return (try RecipeLoader.parse(text, file: file), text, file) } catch {
                throw ControllerError(code: "invalid_recipe", status: 422, message: error.problems.map(\.description).joined(separator: "\n"))
            }
        }
        guard let id else { throw ControllerError.badRequest("name a catalog recipe (recipe) or send one (recipeYAML)") }
        guard let (recipe, _) = catalog.recipe(id), let (text, file) = catalog.source(id) else {
            throw ControllerError.notFound("no recipe \(id) in the catalog (homelab recipes search)")
        }
        return (recipe, text, URL(fileURLWithPath: file).lastPathComponent)
    }

    /// Where each component goes, and why: a device named for it (or for all), the device it already runs
    /// on (a redeploy), else the scheduler's choice over the live homelab.
    func place(_ recipe: Recipe, name: String, deploymentID: String, devices: [String], staying: [DeploymentComponent]) async throws
        -> ([DeploymentComponent], [(component: String?, message: String)]) {
        var pinned: [String: String] = [:]
        var everything: String?
        for entry in devices where entry != "auto" {
            if let equals = entry.firstIndex(of: "=") {
                let component = String(entry[..<equals]), device = String(entry[entry.index(after: equals)...])
                guard recipe.component(component) != nil else {
                    throw ControllerError.badRequest("--device \(entry): \(recipe.id) has no component \(component) (it has: \(recipe.components.map(\.name).joined(separator: ", ")))")
                }
                pinned[component] = device
            } else {
                everything = entry
            }
        }
        let snapshot = try await snapshot(excluding: deploymentID)
        let request = PlacementRequest(recipe: recipe)
        let plan = scheduler.plan(snapshot, request)
        let addresses = Dictionary(try await registry.list().map { ($0.name, $0.address) }) { first, _ in first }
        var components: [DeploymentComponent] = []
        var steps: [(component: String?, message: String)] = []
        for (component, wanted) in zip(recipe.components, request.components) {
            let device: String
            let reason: String
            if let named = pinned[component.name] ?? everything {
                guard let state = snapshot.devices.first(where: { $0.name == named }) else {
                    throw ControllerError.notFound("no device \(named) (homelab devices list)")
                }
                let assessment = scheduler.assess(state, for: wanted, request: request, in: Homelab(snapshot.devices))
                guard assessment.eligible else {
                    throw ControllerError(code: "unplaceable", status: 422,
                                          message: "\(component.name) cannot run on \(named): \(assessment.rejections.joined(separator: "; "))")
                }
                device = named
                reason = "named with --device"
                steps.append((component.name, "\(component.name) → \(device) (named with --device)"))
            } else if let kept = staying.first(where: { $0.name == component.name }) {
                device = kept.device
                reason = "kept on \(kept.device), where it runs"
                steps.append((component.name, "\(component.name) → \(device): \(reason)"))
            } else {
                guard let choice = plan.placements.first?.choices.first(where: { $0.component == component.name }) else {
                    let ranking = plan.rankings.first { $0.component == component.name }?.devices ?? []
                    let why = ranking.prefix(5).map { "\($0.device): \($0.rejections.joined(separator: ", "))" }
                    throw ControllerError(code: "unplaceable", status: 422, message: "no device can run \(component.name)"
                                          + (why.isEmpty ? " (no device is enrolled)" : ": " + why.joined(separator: "; ")))
                }
                device = choice.device
                reason = choice.reason
                steps.append((component.name, "\(component.name) → \(device): \(reason)"))
                // When packing chose this device over the one judgement alone puts first, the plan says why: a step of its own.
                if let packing = choice.packing { steps.append((component.name, "Packed: \(packing.reason) (over \(packing.over))")) }
            }
            components.append(DeploymentComponent(
                name: component.name, device: device, address: addresses[device] ?? nil,
                project: RecipeRenderer.stackName(deployment: name, component: component.name, of: recipe), port: nil, reason: reason,
                memoryBytes: wanted.memoryBytes, storageBytes: wanted.storageBytes))
        }
        return (components, steps)
    }

    /// Providers first: components other components link to (those with a `port`), then the rest, each in recipe order.
    static func startOrder(_ recipe: Recipe) -> [String] {
        recipe.components.filter { $0.port != nil }.map(\.name) + recipe.components.filter { $0.port == nil }.map(\.name)
    }

    /// The service publishing host port `port` in a stack, and its container port.
    static func webService(_ stack: StackSpec, port: Int) -> (String, Int)? {
        for (name, service) in stack.services.sorted(by: { $0.key < $1.key }) {
            if let mapping = service.ports?.first(where: { $0.published == port }) { return (name, mapping.target) }
        }
        return nil
    }
}
