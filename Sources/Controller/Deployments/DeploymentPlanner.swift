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
    /// The first steps people read: what is deployed, and where each component goes and why.
    var steps: [JobNote]
}

extension DeploymentService {
    /// Checks a deploy request and decides everything about it; throws what the user must fix.
    func prepare(_ request: DeployRequest, now: Date) async throws -> PreparedDeployment {
        let (recipe, text, file) = try recipe(of: request)
        let name = request.name ?? recipe.id
        guard SafeName.isValid(name, .deploymentName), name.count <= 40 else {
            throw HomelabError(.invalidName, "deployment name \"\(PrintableText.escaped(name))\" is not allowed: use lowercase letters, digits and '-', starting with a letter or digit, at most 40 characters",
                               context: ["field": "name"])
        }
        var previous: (resource: DeploymentResource, secret: DeploymentPrivate)?
        if let existing = try? await parts.load(name) {
            let resource = try await parts.resource(existing.record)
            guard resource.recipe == recipe.id else {
                throw HomelabError.conflict("\(name) is a deployment of \(resource.recipe), not \(recipe.id): choose another name",
                                            context: ["deployment": name, "field": "name"])
            }
            try await idleCheck(resource)
            previous = (resource, existing.secret)
        }
        let id = previous?.resource.id ?? UUID().uuidString.lowercased()
        // Inputs: the current ones (a redeploy), then those given; a redeploy keeps its generated secrets.
        var given = (previous?.secret.inputs ?? [:]).filter { key, _ in recipe.inputs.contains { $0.name == key } }
        given.merge(request.inputs ?? [:]) { _, new in new }
        let inputs: [String: String]
        do { inputs = try RecipeRenderer.resolveInputs(recipe, given: given, source: "inputs") } catch {
            throw HomelabError.invalidInputs(error.problems.map { "\($0.field): \($0.message)" }.joined(separator: "\n"))
        }
        let secrets = RecipeRenderer.secrets(recipe, existing: previous?.secret.secrets ?? [:])
        // A previous version that ran is what a failed upgrade goes back to, and where its components stay.
        let ran = previous.flatMap { [.running, .stopped].contains($0.resource.state) ? $0 : nil }
        var (components, steps) = try await place(recipe, name: name, deploymentID: id, placement: request.placement ?? .auto, staying: ran?.resource.components ?? [])
        let hosts = Dictionary(uniqueKeysWithValues: components.map { ($0.name, $0.address ?? $0.device) })
        let rendered: RenderedRecipe
        do {
            rendered = try RecipeRenderer.render(recipe, RenderContext(deploymentName: name, deploymentID: id, inputs: inputs, secrets: secrets,
                                                                       hosts: hosts, timezone: settings.timezone, domain: settings.proxy.domain), file: file)
        } catch {
            throw HomelabError(.invalidRecipe, error.problems.map(\.description).joined(separator: "\n"))
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
                    throw HomelabError(.notConfigured, "expose needs a reverse proxy, and the controller runs without one (homelab-controller run --proxy caddy or --proxy traefik)",
                                       context: ["field": "expose"])
                case .caddy:
                    upstream = "\(address):\(web.port)"
                case .traefik:
                    guard var stack = stacks[web.component], let (service, target) = Self.webService(stack, port: web.port) else {
                        throw HomelabError(.invalidRecipe, "\(recipe.id): no service of \(web.component) publishes the web port \(web.port)")
                    }
                    TraefikLabels.apply(to: &stack, service: service, containerPort: target, router: name, host: settings.proxy.host(for: name),
                                        settings: settings.proxy)
                    stacks[web.component] = stack
                }
                url = settings.proxy.url(for: name, path: web.path)
            }
        } else if expose {
            throw HomelabError.badRequest("\(recipe.id) has no web entry to expose", field: "expose")
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
            previous: ran.map { ran in
                .init(spec: StoredDeployment(recipeVersion: ran.resource.recipeVersion, category: ran.resource.category,
                                             components: ran.resource.components.map(StoredComponent.init), inputs: ran.resource.inputs,
                                             url: ran.resource.url, exposed: ran.resource.exposed),
                      stacks: ran.secret.stacks, proxyUpstream: ran.secret.proxyUpstream, inputs: ran.secret.inputs)
            })
        steps.insert(JobNote(ran != nil ? "Redeploying \(name) (\(recipe.id) \(recipe.version), was \(ran!.resource.recipeVersion))"
                                        : "Deploying \(name) (\(recipe.id) \(recipe.version))"), at: 0)
        return PreparedDeployment(previousID: previous?.resource.id, resource: resource, secret: secret, steps: steps)
    }

    /// The recipe of a request: a catalog id, or YAML text sent with the request.
    func recipe(of request: DeployRequest) throws -> (Recipe, String, String) {
        if let text = request.recipeYAML {
            let file = request.recipeFile ?? "recipe.yaml"
            do { return (try RecipeLoader.parse(text, file: file), text, file) } catch {
                throw HomelabError(.invalidRecipe, error.problems.map(\.description).joined(separator: "\n"))
            }
        }
        guard let id = request.recipe else { throw HomelabError.badRequest("name a catalog recipe (recipe) or send one (recipeYAML)", field: "recipe") }
        guard let (recipe, _) = catalog.recipe(id), let (text, file) = catalog.source(id) else {
            throw HomelabError.notFound("no recipe \(id) in the catalog", context: ["field": "recipe"])
        }
        return (recipe, text, URL(fileURLWithPath: file).lastPathComponent)
    }

    /// Where each component goes, and why: a device named for it (or for all), the device it already runs
    /// on (a redeploy), else the scheduler's choice over the live homelab.
    func place(_ recipe: Recipe, name: String, deploymentID: String, placement: Placement, staying: [DeploymentComponent]) async throws
        -> ([DeploymentComponent], [JobNote]) {
        if case .devices(let named) = placement {
            for component in named.keys where component != Placement.everyComponent && recipe.component(component) == nil {
                throw HomelabError.badRequest("placement names \(component), but \(recipe.id) has no such component (it has: \(recipe.components.map(\.name).joined(separator: ", ")))",
                                              field: "placement.\(component)")
            }
        }
        let snapshot = try await snapshot(excluding: deploymentID)
        let request = PlacementRequest(recipe: recipe)
        let plan = scheduler.plan(snapshot, request)
        let addresses = Dictionary(try await registry.list().map { ($0.name, $0.address) }) { first, _ in first }
        var components: [DeploymentComponent] = []
        var steps: [JobNote] = []
        var scheduled = false
        for (component, wanted) in zip(recipe.components, request.components) {
            let device: String
            let reason: String
            if let named = placement.device(for: component.name) {
                guard let state = snapshot.devices.first(where: { $0.name == named }) else {
                    throw HomelabError.notFound("no device \(named)", context: ["field": "placement", "device": named])
                }
                let assessment = scheduler.assess(state, for: wanted, request: request)
                guard assessment.eligible else {
                    throw HomelabError(.unplaceable, "\(component.name) cannot run on \(named): \(assessment.rejections.joined(separator: "; "))",
                                       context: ["component": component.name, "device": named])
                }
                device = named
                reason = "chosen by you"
                steps.append(JobNote("\(component.name) → \(device) (chosen by you)", component: component.name))
            } else if let kept = staying.first(where: { $0.name == component.name }) {
                device = kept.device
                reason = "kept on \(kept.device), where it runs"
                steps.append(JobNote("\(component.name) → \(device): \(reason)", component: component.name))
            } else {
                guard let chosen = plan.placements.first?.devices[component.name] else {
                    let ranking = plan.rankings.first { $0.component == component.name }?.devices ?? []
                    let why = ranking.prefix(5).map { "\($0.device): \($0.rejections.joined(separator: ", "))" }
                    throw HomelabError(.unplaceable, "no device can run \(component.name)"
                                          + (why.isEmpty ? " (no device is enrolled)" : ": " + why.joined(separator: "; ")), context: ["component": component.name])
                }
                let assessment = plan.rankings.first { $0.component == component.name }?.devices.first { $0.device == chosen }
                device = chosen
                let said = assessment?.reason ?? ""
                reason = said.hasPrefix("\(chosen): ") ? String(said.dropFirst(chosen.count + 2)) : said
                steps.append(JobNote("\(component.name) → \(device): \(reason)", component: component.name))
                scheduled = true
            }
            components.append(DeploymentComponent(
                name: component.name, device: device, address: addresses[device] ?? nil,
                project: RecipeRenderer.stackName(deployment: name, component: component.name, of: recipe), port: nil, reason: reason,
                memoryBytes: wanted.memoryBytes, storageBytes: wanted.storageBytes))
        }
        // When packing chose a set other than the top-scored one, the plan says why: kept as a step of its own.
        if scheduled, let reason = plan.placements.first?.reason, let packed = reason.range(of: "; packed: ") {
            steps.append(JobNote("Packed: " + reason[packed.upperBound...]))
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
