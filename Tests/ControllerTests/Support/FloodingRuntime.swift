import Agent
import NIOCore
import Protocol

/// The real Docker engine, except that a pull (of an image the engine already has) reports `ticks` byte
/// progress lines as fast as it can instead of fetching: a fake registry, to flood the controller with
/// pull progress over the real agent link. Everything else goes to the engine.
struct FloodingRuntime: ContainerRuntime {
    let base: DockerEngine
    let ticks: Int

    func hasImage(_ reference: String) async throws -> Bool { false }

    func pull(_ reference: String, credentials: RegistryCredentials?, progress: @Sendable (PullProgress) async -> Void) async throws {
        let total = Int64(ticks) * 1_000
        for tick in 1...ticks {
            await progress(PullProgress(image: reference, status: "Downloading", current: Int64(tick) * 1_000, total: total))
        }
    }

    func version() async throws -> RuntimeVersion { try await base.version() }
    func containers(labelled labels: [String: String?]) async throws -> [RuntimeContainer] { try await base.containers(labelled: labels) }
    func inspect(container id: String) async throws -> RuntimeContainer? { try await base.inspect(container: id) }
    func create(container: ContainerCreate) async throws -> String { try await base.create(container: container) }
    func start(container id: String) async throws { try await base.start(container: id) }
    func stop(container id: String, timeout: Int) async throws { try await base.stop(container: id, timeout: timeout) }
    func restart(container id: String, timeout: Int) async throws { try await base.restart(container: id, timeout: timeout) }
    func remove(container id: String) async throws { try await base.remove(container: id) }
    func networks(labelled labels: [String: String?]) async throws -> [RuntimeObject] { try await base.networks(labelled: labels) }
    func createNetwork(name: String, labels: [String: String], internal: Bool) async throws {
        try await base.createNetwork(name: name, labels: labels, internal: `internal`)
    }
    func removeNetwork(name: String) async throws { try await base.removeNetwork(name: name) }
    func volumes(labelled labels: [String: String?]) async throws -> [RuntimeObject] { try await base.volumes(labelled: labels) }
    func createVolume(name: String, labels: [String: String]) async throws { try await base.createVolume(name: name, labels: labels) }
    func removeVolume(name: String) async throws { try await base.removeVolume(name: name) }
    func inspect(volume name: String) async throws -> RuntimeVolume? { try await base.inspect(volume: name) }
    func dataRoot() async throws -> String { try await base.dataRoot() }
    func exec(container id: String, command: [String], _ output: (ByteBuffer) async throws -> Void) async throws -> ExecResult {
        try await base.exec(container: id, command: command, output)
    }
    func logs(container id: String, options: LogOptions, _ line: (LogLine) async throws -> Void) async throws {
        try await base.logs(container: id, options: options, line)
    }
    func stats(container id: String) async throws -> ContainerStats { try await base.stats(container: id) }
    func events(_ event: (RuntimeEvent) async throws -> Void) async throws { try await base.events(event) }
    func archive(container id: String, path: String, _ chunk: (ByteBuffer) async throws -> Void) async throws {
        try await base.archive(container: id, path: path, chunk)
    }
    func extract(container id: String, path: String, tar: AsyncThrowingStream<ByteBuffer, any Error>) async throws {
        try await base.extract(container: id, path: path, tar: tar)
    }
}
