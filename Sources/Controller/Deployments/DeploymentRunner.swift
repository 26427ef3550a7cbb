import Foundation
import Protocol
import Recipes

/// The state machine's work. Each state is stored before its work starts, so a controller that restarts
/// redoes the current state's work: applying a stack is idempotent on the agent (its config hash decides
/// what changes), so "redo" is safe.
extension DeploymentService {
    /// Drives deployment `id` from its stored state to a state without work.
    func drive(_ id: String) async {
        while !Task.isCancelled {
            guard let (resource, secret) = try? await load(id) else { return }
            do {
                switch resource.state {
                case .pending, .pulling, .creating, .starting, .healthChecking:
                    try await rollOut(resource, secret)
                    return
                case .rollingBack:
                    try await rollBack(resource, secret)
                    return
                case .removing:
                    try await removeAll(resource, secret)
                    return
                case .running, .stopped, .rolledBack, .failed:
                    return
                }
            } catch where Task.isCancelled || error is CancellationError {
                return  // Shutdown: the stored state is where the next start resumes.
            } catch {
                let message = "\(error)"
                logger.warning("deployment \(resource.name): \(message)")
                let next: DeploymentState = resource.state == .rollingBack || resource.state == .removing ? .failed : .rollingBack
                let said = next == .failed ? "Failed: \(message)" : "Failed: \(message); rolling back"
                do {
                    _ = try await step(id, next, said, error: message, final: next == .failed)
                } catch {
                    return
                }
                if next == .failed {
                    await failures.record(.deploy, subject: resource.name, message: "\(resource.name): \(said)")
                    return
                }
            }
        }
    }

    /// Applies every component (providers first), waits for health, routes the proxy: `running`.
    func rollOut(_ resource: DeploymentResource, _ secret: DeploymentPrivate) async throws {
        var resource = resource
        for component in resource.components {
            guard let stack = secret.stacks[component.name] else { continue }
            resource = try await step(resource.id, .pulling, component: component.name, "\(component.name): pulling images on \(component.device)")
            try await apply(stack, of: component, in: (resource.name, resource.id), timeout: secret.healthTimeout)
        }
        resource = try await step(resource.id, .healthChecking, "Waiting for health (at most \(secret.healthTimeout) s)")
        let recipe = try? recipeOf(secret)
        for component in resource.components {
            guard let stack = secret.stacks[component.name] else { continue }
            try await checkHealth(component, stack: stack, recipe: recipe, in: resource.id, timeout: secret.healthTimeout)
        }
        if let caddy, let upstream = secret.proxyUpstream {
            let host = settings.proxy.host(for: resource.name)
            try await caddy.route(resource.name, host: host, upstream: upstream)
            _ = try await step(resource.id, nil, "Caddy routes \(host) to \(upstream)")
        }
        let done = try await step(resource.id, .running, "Running" + (resource.url.map { " at \($0)" } ?? ""), final: true) { resource, secret in
            resource.error = nil
            secret.previous = nil
        }
        await activity("deployment.running", "Deployed \(done.name) (\(done.recipe) \(done.recipeVersion)) to \(done.devices)")
    }

    /// Undoes a failed deploy: an upgrade goes back to the version that ran (data kept); a first deploy
    /// removes what it created, volumes included, so nothing is left half-made.
    func rollBack(_ resource: DeploymentResource, _ secret: DeploymentPrivate) async throws {
        var left: [String] = []
        if let previous = secret.previous {
            let kept = Set(previous.components.map { "\($0.device)/\($0.project)" })
            for component in resource.components where !kept.contains("\(component.device)/\(component.project)") {
                if let problem = await remove(component, volumes: true, in: resource.id) { left.append(problem) }
            }
            let recipe = try? recipeOf(secret)
            for component in previous.components {
                guard let stack = previous.stacks[component.name] else { continue }
                do {
                    try await apply(stack, of: component, in: (resource.name, resource.id), timeout: secret.healthTimeout, reportStates: false)
                    try await checkHealth(component, stack: stack, recipe: recipe, in: resource.id, timeout: secret.healthTimeout, note: " (previous version)")
                } catch {
                    left.append("\(component.name) on \(component.device): \("\(error)")")
                }
            }
            if let caddy {
                if let upstream = previous.proxyUpstream {
                    try? await caddy.route(resource.name, host: settings.proxy.host(for: resource.name), upstream: upstream)
                } else {
                    try? await caddy.remove(resource.name)
                }
            }
        } else {
            for component in resource.components.reversed() {
                if let problem = await remove(component, volumes: true, in: resource.id) { left.append(problem) }
            }
            try? await caddy?.remove(resource.name)
        }
        let failed = !left.isEmpty
        let message = failed ? "Could not roll back: \(left.joined(separator: "; "))"
                             : (secret.previous != nil ? "Rolled back to \(secret.previous!.recipeVersion)" : "Rolled back: nothing of it is left on the devices")
        let error = resource.error.map { failed ? "\($0); \(message)" : $0 }
        let done = try await step(resource.id, failed ? .failed : .rolledBack, message, error: error, final: true) { resource, secret in
            guard !failed, let previous = secret.previous else { return }
            resource.components = previous.components
            resource.recipeVersion = previous.recipeVersion
            resource.url = previous.url
            resource.inputs = previous.shownInputs
            resource.state = .running
            secret.inputs = previous.inputs
            secret.stacks = previous.stacks
            secret.proxyUpstream = previous.proxyUpstream
            secret.previous = nil
        }
        await activity("deployment.rolled-back", "Deploying \(done.name) failed (\(resource.error ?? "")); \(message)")
        await failures.record(.deploy, subject: done.name, message: "Deploying \(done.name) failed (\(resource.error ?? "")); \(message)")
    }

    /// Removes every component and then the deployment.
    func removeAll(_ resource: DeploymentResource, _ secret: DeploymentPrivate) async throws {
        var left: [String] = []
        for component in resource.components.reversed() {
            if let problem = await remove(component, volumes: secret.removeData ?? false, in: resource.id) { left.append(problem) }
        }
        if !left.isEmpty {
            throw ControllerError.conflict("could not remove \(left.joined(separator: "; ")); run the removal again")
        }
        try? await caddy?.remove(resource.name)
        _ = try await step(resource.id, nil, "Removed" + (secret.removeData == true ? " with its data" : " (volumes kept)"), final: true)
        _ = try await store.write { db in try DeploymentRecord.deleteOne(db, key: resource.id) }
        await activity("deployment.removed", "Removed \(resource.name) from \(resource.devices)" + (secret.removeData == true ? " with its data" : ""))
    }

    /// Waits until the component is healthy (``HealthWaiter``, with the recipe's hints) and records how each service was found so.
    func checkHealth(_ component: DeploymentComponent, stack: StackSpec, recipe: Recipe?, in id: String, timeout: Int, note: String = "") async throws {
        let hints = recipe?.health.filter { $0.component == component.name } ?? []
        for result in try await HealthWaiter(service: self).wait(component, stack: stack, hints: hints, timeout: .seconds(timeout)) {
            _ = try await step(id, nil, component: component.name, "\(component.name): \(result)\(note)")
        }
    }

    /// Removes one component's stack; the problem, when its device cannot be reached.
    func remove(_ component: DeploymentComponent, volumes: Bool, in id: String) async -> String? {
        do {
            try await waitOnline(component.device)
            let action = StackAction(stack: StackRef(project: component.project), verb: .remove, removeVolumes: volumes)
            _ = try await registry.ask(component.device, action, timeout: .seconds(300))
            _ = try? await step(id, nil, component: component.name, "\(component.name): removed from \(component.device)" + (volumes ? " with its volumes" : ""))
            return nil
        } catch {
            return "\(component.name) on \(component.device): \("\(error)")"
        }
    }

    /// Applies `stack` on the component's device; the agent's progress moves the deployment's state
    /// (pull → pulling, network/volume/create → creating, start/wait → starting). A link lost mid-apply
    /// is waited for (``DeploymentSettings/deviceWait``) and the apply sent again.
    func apply(_ stack: StackSpec, of component: DeploymentComponent, in deployment: (name: String, id: String), timeout: Int,
               reportStates: Bool = true) async throws {
        var attempt = 0
        while true {
            attempt += 1
            try await waitOnline(component.device)
            let watcher = reportStates ? watchProgress(of: component, in: deployment) : nil
            defer { watcher?.cancel() }
            do {
                _ = try await registry.ask(component.device, StackApply(spec: stack, healthTimeout: timeout), timeout: .seconds(1800))
                // The agent's last progress ("done") may still be on its way: let the watcher see it, briefly.
                if let watcher {
                    await withTaskGroup(of: Void.self) { group in
                        group.addTask { await watcher.value }
                        group.addTask { try? await Task.sleep(for: .seconds(2)) }
                        await group.next()
                        group.cancelAll()
                    }
                }
                return
            } catch let error as ControllerError where error.isDeviceUnreachable && attempt < Self.applyAttempts {
                _ = try await step(deployment.id, nil, component: component.name, "\(component.name): lost \(component.device) mid-apply; waiting for it")
            }
        }
    }

    /// How many times an apply is sent to a device that keeps dropping its link.
    static let applyAttempts = 5

    /// Relays the agent's `stack.progress` for the component's stack as deployment steps until cancelled.
    private func watchProgress(of component: DeploymentComponent, in deployment: (name: String, id: String)) -> Task<Void, Never> {
        let stream = events.subscribe()
        return Task { [self] in
            var state = DeploymentState.pulling
            for await event in stream {
                guard event.type == .stackProgress, let progress = event.stack, progress.project == component.project,
                      event.device?.name == component.device else { continue }
                let next: DeploymentState? = switch progress.phase {
                case "pull": .pulling
                case "network", "volume", "create", "remove": .creating
                case "start", "wait": .starting
                default: nil
                }
                if progress.phase == "done" { return }
                if progress.phase == "pull" {
                    tick(component, of: deployment, "\(component.name): \(progress.message)", current: progress.current, total: progress.total)
                    continue
                }
                let changed = next.map { $0 != state } ?? false
                if let next { state = next }
                _ = try? await step(deployment.id, changed ? next : nil, component: component.name, "\(component.name): \(progress.message)")
            }
        }
    }

    /// Returns once the device is connected; throws after ``DeploymentSettings/deviceWait``.
    func waitOnline(_ device: String) async throws {
        let deadline = ContinuousClock.now + settings.deviceWait
        while true {
            let resource = try await registry.get(device)
            if resource.status == .online { return }
            if ContinuousClock.now >= deadline {
                throw ControllerError(code: "device_offline", status: 409,
                                      message: "\(device) is \(resource.status.rawValue) and did not come back within \(settings.deviceWait.components.seconds) s")
            }
            try await Task.sleep(for: .milliseconds(500))
        }
    }

    /// The recipe a deployment was made from.
    func recipeOf(_ secret: DeploymentPrivate) throws -> Recipe {
        try RecipeLoader.parse(secret.recipeText, file: secret.recipeFile)
    }
}
