import FoundationEssentials
import Protocol

/// Brings the device to exactly a stack spec: creates what is missing, recreates what changed (by
/// config hash), leaves what is unchanged running and removes what the spec no longer has. Every
/// step is idempotent, so applying again after an interruption (an agent killed mid-apply) converges.
public struct StackReconciler: Sendable {
    public var runtime: any ContainerRuntime
    /// Each project's compose file is kept in `<projectsDirectory>/<project>/`.
    public var projectsDirectory: String
    public var agentVersion: String
    /// Seconds a container gets to stop before it is killed.
    public var stopTimeout: Int = 10
    /// How often dependency conditions are polled.
    public var pollInterval: Duration = .milliseconds(250)

    public typealias Progress = @Sendable (StackProgress) async -> Void

    public init(runtime: any ContainerRuntime, projectsDirectory: String, agentVersion: String) {
        self.runtime = runtime
        self.projectsDirectory = projectsDirectory
        self.agentVersion = agentVersion
    }

    /// Applies `request`; throws ``StackSpecError`` before touching anything when the spec is invalid,
    /// and ``DockerClientError`` naming the image when a pull fails (nothing created then either).
    public func apply(_ request: StackApply, progress: Progress = { _ in }) async throws -> StackApplyResult {
        let spec = request.spec
        try spec.validate()
        let order = spec.startOrder() ?? spec.services.keys.sorted()
        try await pullMissingImages(spec, credentials: request.credentials ?? [], progress: progress)
        let directory = try StackFiles.write(spec, into: projectsDirectory)
        try await ensureNetworks(spec, progress: progress)
        try await ensureVolumes(spec, progress: progress)

        var existing = try await runtime.containers(labelled: [StackLabels.project: spec.name])
        var results: [StackApplyResult.Service] = []
        var running: [String: String] = [:]
        let timeout = Duration.seconds(request.healthTimeout ?? 120)
        for name in order {
            let create = resolve(spec, name, directory: directory)
            let outcome = try await converge(spec, name, create, existing: existing.filter { $0.labels[StackLabels.service] == name },
                                             running: running, timeout: timeout, progress: progress)
            running[name] = outcome.containerID
            results.append(outcome)
        }
        existing = try await runtime.containers(labelled: [StackLabels.project: spec.name])
        for container in existing where spec.services[container.labels[StackLabels.service] ?? ""] == nil {
            await progress(StackProgress(project: spec.name, phase: .remove, service: container.labels[StackLabels.service], message: "Removing \(container.name)"))
            try await runtime.remove(container: container.id)
            results.append(.init(name: container.labels[StackLabels.service] ?? container.name, change: .removed, containerID: nil))
        }
        try await removeUnusedNetworks(spec)
        await progress(StackProgress(project: spec.name, phase: .done, message: "\(spec.name) is up"))
        return StackApplyResult(project: spec.name, services: results)
    }

    // MARK: Steps

    private func pullMissingImages(_ spec: StackSpec, credentials: [RegistryCredentials], progress: Progress) async throws {
        for image in Set(spec.services.values.map(\.image)).sorted() where try await !runtime.hasImage(image) {
            let registry = Self.registry(of: image)
            await progress(StackProgress(project: spec.name, phase: .pull, image: image, message: "Pulling \(image)"))
            try await runtime.pull(image, credentials: credentials.first { $0.server == registry }) { step in
                await progress(StackProgress(project: spec.name, phase: .pull, image: image, current: step.current, total: step.total, message: step.status))
            }
        }
    }

    /// The registry an image reference names (`docker.io` when it names none).
    static func registry(of image: String) -> String {
        guard let slash = image.firstIndex(of: "/") else { return "docker.io" }
        let first = image[..<slash]
        return first.contains(".") || first.contains(":") || first == "localhost" ? String(first) : "docker.io"
    }

    private func ensureNetworks(_ spec: StackSpec, progress: Progress) async throws {
        let present = Set(try await runtime.networks(labelled: [StackLabels.project: spec.name]).map(\.name))
        for name in Self.networksUsed(spec) where spec.networks?[name]?.external == true {
            // Shared with other stacks (the reverse proxy's network): made when missing, never labelled as this stack's.
            let engineName = spec.engineNetworkName(name)
            guard try await runtime.networks(labelled: [StackLabels.sharedNetwork: engineName]).isEmpty else { continue }
            await progress(StackProgress(project: spec.name, phase: .network, message: "Creating shared network \(engineName)"))
            do {
                try await runtime.createNetwork(name: engineName, labels: [StackLabels.sharedNetwork: engineName], internal: false)
            } catch let error as DockerClientError where error.code == .conflict {
                continue
            }
        }
        for name in Self.networksUsed(spec) where spec.networks?[name]?.external != true && !present.contains("\(spec.name)_\(name)") {
            await progress(StackProgress(project: spec.name, phase: .network, message: "Creating network \(spec.name)_\(name)"))
            let declared = spec.networks?[name]
            let labels = StackLabels.projectObject(spec, kind: StackLabels.network, name: name, agentVersion: agentVersion, extra: declared?.labels)
            do {
                try await runtime.createNetwork(name: "\(spec.name)_\(name)", labels: labels, internal: declared?.internal ?? false)
            } catch let error as DockerClientError where error.code == .conflict {
                continue  // Created by someone else under the same name: joined as it is, as Compose does.
            }
        }
    }

    private func ensureVolumes(_ spec: StackSpec, progress: Progress) async throws {
        let present = Set(try await runtime.volumes(labelled: [StackLabels.project: spec.name]).map(\.name))
        for (name, volume) in (spec.volumes ?? [:]).sorted(by: { $0.key < $1.key }) where !present.contains("\(spec.name)_\(name)") {
            await progress(StackProgress(project: spec.name, phase: .volume, message: "Creating volume \(spec.name)_\(name)"))
            let labels = StackLabels.projectObject(spec, kind: StackLabels.volume, name: name, agentVersion: agentVersion, extra: volume.labels)
            try await runtime.createVolume(name: "\(spec.name)_\(name)", labels: labels)
        }
    }

    private func removeUnusedNetworks(_ spec: StackSpec) async throws {
        let used = Set(Self.networksUsed(spec).map { spec.engineNetworkName($0) })
        for network in try await runtime.networks(labelled: [StackLabels.project: spec.name, StackLabels.managed: "true"]) where !used.contains(network.name) {
            try await runtime.removeNetwork(name: network.name)
        }
    }

    /// The networks the services join (`default` for those that name none).
    static func networksUsed(_ spec: StackSpec) -> [String] {
        var names = Set<String>()
        for service in spec.services.values where service.networkMode == nil {
            names.formUnion(service.networks?.keys.map { $0 } ?? ["default"])
        }
        return names.sorted()
    }

    /// One service's container as it must be.
    func resolve(_ spec: StackSpec, _ name: String, directory: String) -> ContainerCreate {
        var service = spec.services[name]!
        var environment: [String: String] = [:]
        for path in service.envFile ?? [] {
            for (key, value) in (try? EnvFile.parse(spec.files?[path] ?? "")) ?? [] { environment[key] = value }
        }
        environment.merge(service.environment ?? [:]) { _, explicit in explicit }
        service.environment = environment.isEmpty ? nil : environment
        service.envFile = nil
        service.volumes = service.volumes?.map { mount in
            var mount = mount
            if mount.type == "volume", let source = mount.source { mount.source = "\(spec.name)_\(source)" }
            return mount
        }
        var networks: [(name: String, aliases: [String])] = []
        if service.networkMode == nil {
            for (network, attachment) in (service.networks ?? ["default": ServiceNetwork()]).sorted(by: { $0.key < $1.key }) {
                networks.append((spec.engineNetworkName(network), [name] + (attachment.aliases ?? [])))
            }
        }
        var labels = service.labels ?? [:]
        labels[StackLabels.project] = spec.name
        labels[StackLabels.service] = name
        labels[StackLabels.containerNumber] = "1"
        labels[StackLabels.oneoff] = "False"
        labels[StackLabels.workingDir] = directory
        labels[StackLabels.configFiles] = StackFiles.composePath(directory)
        labels[StackLabels.version] = StackLabels.composeVersion
        labels[StackLabels.managed] = "true"
        labels[StackLabels.deployment] = spec.deployment ?? spec.name
        labels[StackLabels.agentVersion] = agentVersion
        labels[StackLabels.configHash] = ConfigHash.of(service: service, networks: networks)
        return ContainerCreate(name: "\(spec.name)-\(name)-1", service: service, labels: labels, networks: networks)
    }

    /// Brings one service's container to `create`, waiting for its dependencies before starting it.
    private func converge(_ spec: StackSpec, _ name: String, _ create: ContainerCreate, existing: [RuntimeContainer],
                          running: [String: String], timeout: Duration, progress: Progress) async throws -> StackApplyResult.Service {
        let hash = create.labels[StackLabels.configHash]
        var keep = existing.first { $0.labels[StackLabels.configHash] == hash }
        for container in existing where container.id != keep?.id {
            try await runtime.remove(container: container.id)
        }
        if let kept = keep, let current = try await runtime.inspect(container: kept.id) {
            if current.state == .running { return .init(name: name, change: .unchanged, containerID: current.id) }
            if current.everStarted == true {
                try await waitForDependencies(spec, name, running: running, timeout: timeout, progress: progress)
                await progress(StackProgress(project: spec.name, phase: .start, service: name, message: "Starting \(create.name)"))
                try await runtime.start(container: current.id)
                return .init(name: name, change: .started, containerID: current.id)
            }
            // Created but never started: an apply was interrupted between creating and starting it,
            // perhaps before all its networks were joined. Made again from scratch.
            try await runtime.remove(container: current.id)
            keep = nil
        }
        try await waitForDependencies(spec, name, running: running, timeout: timeout, progress: progress)
        await progress(StackProgress(project: spec.name, phase: .create, service: name, message: "Creating \(create.name)"))
        let id: String
        do {
            id = try await runtime.create(container: create)
        } catch let error as DockerClientError where error.code == .conflict {
            // The name is taken by a container the listing did not show: an interrupted apply's create that the
            // engine finished after its agent died. Ours (same project): replaced; anyone else's: an error.
            guard let stale = try await runtime.inspect(container: create.name), stale.labels[StackLabels.project] == spec.name else { throw error }
            try await runtime.remove(container: stale.id)
            id = try await runtime.create(container: create)
        }
        await progress(StackProgress(project: spec.name, phase: .start, service: name, message: "Starting \(create.name)"))
        try await runtime.start(container: id)
        return .init(name: name, change: existing.isEmpty ? .created : .recreated, containerID: id)
    }

    /// Waits until every dependency of `name` meets its condition, or throws naming it.
    private func waitForDependencies(_ spec: StackSpec, _ name: String, running: [String: String], timeout: Duration,
                                     progress: Progress) async throws {
        let clock = ContinuousClock()
        for (dependency, condition) in (spec.services[name]?.dependsOn ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard let id = running[dependency] else { continue }
            let deadline = clock.now + timeout
            var announced = false
            while true {
                guard let container = try await runtime.inspect(container: id) else {
                    throw StackApplyError("\(name) depends on \(dependency), whose container \(id) is gone")
                }
                switch try Self.check(condition.condition, container, dependency) {
                case true: break
                case false:
                    if !announced {
                        announced = true
                        await progress(StackProgress(project: spec.name, phase: .wait, service: name,
                                                     message: "Waiting for \(dependency) (\(condition.condition.rawValue))"))
                    }
                    guard clock.now < deadline else {
                        throw StackApplyError("\(name) waited \(timeout) for \(dependency) to meet \(condition.condition.rawValue); it is \(container.health?.rawValue ?? container.state.rawValue)")
                    }
                    try await Task.sleep(for: pollInterval)
                    continue
                }
                break
            }
        }
    }

    /// Whether `container` meets `condition`; throws when it never will.
    static func check(_ condition: Dependency.Condition, _ container: RuntimeContainer, _ service: String) throws -> Bool {
        switch condition {
        case .serviceStarted:
            return container.state == .running || container.everStarted == true
        case .serviceHealthy:
            if container.health == .unhealthy { throw StackApplyError("\(service) is unhealthy") }
            if container.state == .exited || container.state == .dead {
                throw StackApplyError("\(service) exited (code \(container.exitCode ?? -1)) before it became healthy")
            }
            return container.health == .healthy
        case .serviceCompletedSuccessfully:
            guard container.state == .exited else { return false }
            if container.exitCode != 0 { throw StackApplyError("\(service) exited with code \(container.exitCode ?? -1)") }
            return true
        }
    }
}

/// An apply that could not finish: a dependency failed or timed out.
public struct StackApplyError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
