import Protocol

extension StackReconciler {
    /// The stacks the agent manages on this device, rebuilt from container labels alone.
    public func list() async throws -> [StackStatus] {
        let containers = try await runtime.containers(labelled: [StackLabels.managed: "true", StackLabels.project: nil])
        var stacks: [String: StackStatus] = [:]
        for summary in containers.sorted(by: { $0.name < $1.name }) {
            guard let project = summary.labels[StackLabels.project] else { continue }
            let health = try await runtime.inspect(container: summary.id)?.health
            stacks[project, default: StackStatus(project: project, deployment: summary.labels[StackLabels.deployment], containers: [])]
                .containers.append(.init(service: summary.labels[StackLabels.service] ?? "", id: summary.id, name: summary.name,
                                         image: summary.image, state: summary.state, health: health))
        }
        return stacks.keys.sorted().map { stacks[$0]! }
    }

    /// The containers of `stack` (all its services, or those named), by service.
    func containers(of stack: StackRef) async throws -> [RuntimeContainer] {
        let all = try await runtime.containers(labelled: [StackLabels.project: stack.project, StackLabels.managed: "true"])
        guard let services = stack.services else { return all }
        let unknown = Set(services).subtracting(all.compactMap { $0.labels[StackLabels.service] })
        if !unknown.isEmpty { throw StackApplyError("\(stack.project) has no service \(unknown.sorted().joined(separator: ", "))") }
        return all.filter { services.contains($0.labels[StackLabels.service] ?? "") }
    }

    /// Starts, stops, restarts or removes a stack or some of its services.
    public func perform(_ action: StackAction) async throws {
        let containers = try await containers(of: action.stack)
        if containers.isEmpty && action.stack.services == nil && action.verb != .remove {
            throw StackApplyError("no stack \(action.stack.project) on this device")
        }
        switch action.verb {
        case .start:
            for container in containers.sorted(by: { $0.name < $1.name }) { try await runtime.start(container: container.id) }
        case .stop:
            for container in containers { try await runtime.stop(container: container.id, timeout: stopTimeout) }
        case .restart:
            for container in containers { try await runtime.restart(container: container.id, timeout: stopTimeout) }
        case .remove:
            for container in containers { try await runtime.remove(container: container.id) }
            guard action.stack.services == nil else { return }
            let project = [StackLabels.project: Optional(action.stack.project), StackLabels.managed: "true"]
            for network in try await runtime.networks(labelled: project) { try await runtime.removeNetwork(name: network.name) }
            if action.removeVolumes == true {
                for volume in try await runtime.volumes(labelled: project) { try await runtime.removeVolume(name: volume.name) }
            }
            StackFiles.remove(project: action.stack.project, from: projectsDirectory)
        }
    }

    /// One stats sample per container of the stack, taken at the same time, and their total.
    public func stats(_ stack: StackRef) async throws -> StackStats {
        let containers = try await containers(of: stack).filter { $0.state == .running }
        let runtime = self.runtime
        let samples = try await withThrowingTaskGroup(of: (String, ContainerStats).self) { group in
            for container in containers {
                group.addTask { (container.labels[StackLabels.service] ?? container.name, try await runtime.stats(container: container.id)) }
            }
            return try await group.reduce(into: [String: ContainerStats]()) { $0[$1.0] = $1.1 }
        }
        return StackStats(project: stack.project, services: samples)
    }

    /// A service's log lines; following ends when the container stops.
    public func logs(_ request: StackLogsRequest, _ line: (LogLine) async throws -> Void) async throws {
        guard let container = try await containers(of: StackRef(project: request.project, services: [request.service])).first else {
            throw StackApplyError("\(request.project) has no service \(request.service)")
        }
        try await runtime.logs(container: container.id, options: LogOptions(follow: request.follow, tail: request.tail), line)
    }
}
