import FoundationEssentials

/// The running containers a stop-mode backup stopped, written down before the first one stops: the
/// app is started again when the backup ends however it ends, and, when the agent was killed
/// meanwhile, at the agent's next start.
struct AppHold: Codable, Sendable {
    /// The run that stopped them.
    var run: String
    var project: String
    /// The containers that were running, in the order they start again.
    var containers: [String]

    /// Where holds are kept (`<state>/backups/holds/`).
    static func folder(_ stateDirectory: String) -> String { stateDirectory + "/backups/holds" }

    private func file(_ stateDirectory: String) -> String { Self.folder(stateDirectory) + "/\(project).json" }

    /// Writes the hold down (before anything stops).
    func save(in stateDirectory: String) throws(AgentError) {
        try StateFiles.makeDirectory(Self.folder(stateDirectory), mode: 0o700)
        let bytes: [UInt8]
        do {
            bytes = Array(try JSONEncoder().encode(self))
        } catch {
            throw AgentError.io("cannot encode the hold of \(project): \(error)")
        }
        try StateFiles.write(bytes, to: file(stateDirectory), mode: 0o600)
    }

    /// Forgets the hold (once everything runs again).
    func remove(from stateDirectory: String) {
        StateFiles.remove(file(stateDirectory))
    }

    /// Every hold left by an agent that stopped mid-backup.
    static func leftOver(in stateDirectory: String) -> [AppHold] {
        let folder = folder(stateDirectory)
        return (SystemFiles.list(folder) ?? []).filter { $0.hasSuffix(".json") }.compactMap { name in
            SystemFiles.read(folder + "/" + name).flatMap { try? JSONDecoder().decode(AppHold.self, from: Data($0.utf8)) }
        }
    }

    /// Stops the running containers of `project` after writing the hold down; nil when none ran.
    static func stop(project: String, run: String, runtime: any ContainerRuntime, stateDirectory: String,
                     order: [String]) async throws -> AppHold? {
        let running = try await runtime.containers(labelled: [StackLabels.project: project, StackLabels.managed: "true"])
            .filter { $0.state == "running" && $0.labels["io.homelab.helper"] == nil }
        guard !running.isEmpty else { return nil }
        // Start order: the stack's dependency order when known, the rest after; stopped in reverse.
        let rank = Dictionary(order.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        let sorted = running.sorted { (rank[$0.labels[StackLabels.service] ?? ""] ?? .max, $0.name) < (rank[$1.labels[StackLabels.service] ?? ""] ?? .max, $1.name) }
        let hold = AppHold(run: run, project: project, containers: sorted.map(\.id))
        try hold.save(in: stateDirectory)
        do {
            for container in sorted.reversed() {
                try await runtime.stop(container: container.id, timeout: 30)
            }
        } catch {
            try? await hold.release(runtime: runtime, stateDirectory: stateDirectory)
            throw error
        }
        return hold
    }

    /// Starts every held container that is not running (one gone is skipped), then forgets the hold.
    func release(runtime: any ContainerRuntime, stateDirectory: String) async throws {
        var failures: [String] = []
        for id in containers {
            do {
                guard let container = try await runtime.inspect(container: id) else { continue }
                if container.state != "running" { try await runtime.start(container: id) }
            } catch {
                failures.append("\(id.prefix(12)): \(error)")
            }
        }
        guard failures.isEmpty else {
            throw AgentError.io("could not start \(project) again: \(failures.joined(separator: "; "))")
        }
        remove(from: stateDirectory)
    }
}
