import Foundation
import GRDB
import Protocol
import Recipes

/// The commit point of a migration and what follows it: the record names the destination (the component's
/// device and address, the URL, the proxy's upstream, the consumers' stacks rendered with the new address),
/// then the route and the consumers on their devices are made to follow. Both are idempotent: they are
/// worked out from the record and the machine, so a restarted controller redoes them to the same end.
struct MigrationCommit {
    let parts: DeploymentParts

    /// Writes the record as it is once the component runs at the destination.
    func commit(_ machine: MigrationMachine) async throws {
        let (record, before, secret) = try await parts.load(machine.subject)
        guard let index = before.components.firstIndex(where: { $0.name == machine.component }) else {
            throw HomelabError.internal("the stored deployment has no component \(machine.component)")
        }
        let destination = try await parts.registry.get(machine.destination)
        let old = before.components[index]
        var spec = before, sealed = secret
        spec.components[index].device = destination.name
        spec.components[index].address = destination.address
        spec.components[index].reason = old.device == destination.name ? old.reason : "moved from \(old.device) by a migration"
        let (earlier, now) = try await renders(machine, spec: spec, secret: secret)
        for component in spec.components where component.name != machine.component {
            guard var stack = now.component(component.name)?.stack, earlier.component(component.name)?.stack != stack else { continue }
            // An exposed web entry behind Traefik keeps its router labels, as the deploy put them.
            if parts.settings.proxy.kind == .traefik, spec.exposed, let web = now.web, web.component == component.name,
               let (service, target) = DeploymentService.webService(stack, port: web.port) {
                TraefikLabels.apply(to: &stack, service: service, containerPort: target, router: machine.name,
                                    host: parts.settings.proxy.host(for: machine.name), settings: parts.settings.proxy)
            }
            sealed.stacks[component.name] = stack
        }
        if let web = now.web, web.component == machine.component {
            let from = old.address ?? old.device, to = destination.address ?? destination.name
            spec.url = spec.url?.replacingOccurrences(of: "//\(from):", with: "//\(to):")
            if sealed.proxyUpstream != nil { sealed.proxyUpstream = "\(to):\(web.port)" }
        }
        var row = record
        row.spec = JSONText.encode(spec)
        row.sealed = try parts.seal(sealed)
        row.updatedAt = Date()
        try await parts.store.write { [row] db in try row.update(db) }
    }

    /// Routes the proxy to the new upstream and applies again, on their devices, the stacks of the
    /// components that use this one's address. The lines say what was done.
    func repoint(_ machine: MigrationMachine, clock: any Clock<Duration>) async throws -> [String] {
        let (_, spec, secret) = try await parts.load(machine.subject)
        var lines: [String] = []
        let (earlier, now) = try await renders(machine, spec: spec, secret: secret)
        if let caddy = parts.caddy, let upstream = secret.proxyUpstream, now.web?.component == machine.component {
            let host = parts.settings.proxy.host(for: machine.name)
            do { try await caddy.route(machine.name, host: host, upstream: upstream) } catch {
                throw HomelabError(.proxyError, "Caddy refused the route \(host) → \(upstream): \(HomelabError.shown(error, logger: parts.logger).message)")
            }
            lines.append("Caddy routes \(host) to \(upstream)")
        }
        for component in spec.components where component.name != machine.component {
            guard let rendered = now.component(component.name)?.stack, earlier.component(component.name)?.stack != rendered,
                  let stack = secret.stacks[component.name] else { continue }
            try await parts.waitOnline(component.device, clock: clock)
            _ = try await parts.registry.ask(component.device, StackApply(spec: stack, healthTimeout: secret.healthTimeout), timeout: .seconds(1800))
            lines.append("\(component.name) on \(component.device) now uses \(machine.component) on \(machine.destination)")
        }
        return lines
    }

    /// The recipe rendered with the component at the source, and at the destination (the other components
    /// where the record says): the components whose stacks differ are its consumers.
    private func renders(_ machine: MigrationMachine, spec: StoredDeployment, secret: DeploymentPrivate) async throws -> (RenderedRecipe, RenderedRecipe) {
        let recipe = try parts.recipe(of: secret)
        let source = try await parts.registry.get(machine.source), destination = try await parts.registry.get(machine.destination)
        var hosts = Dictionary(uniqueKeysWithValues: spec.components.map { ($0.name, $0.address ?? $0.device) })
        func render(_ host: String) throws -> RenderedRecipe {
            hosts[machine.component] = host
            do {
                return try RecipeRenderer.render(recipe, RenderContext(deploymentName: machine.name, deploymentID: machine.subject, inputs: secret.inputs,
                                                                       secrets: secret.secrets, hosts: hosts, timezone: parts.settings.timezone,
                                                                       domain: parts.settings.proxy.domain), file: secret.recipeFile)
            } catch {
                throw HomelabError(.invalidRecipe, error.problems.map(\.description).joined(separator: "\n"))
            }
        }
        return (try render(source.address ?? source.name), try render(destination.address ?? destination.name))
    }
}
