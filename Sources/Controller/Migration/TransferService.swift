import Foundation
import Logging
import Protocol

/// Volume transfers through the API (`/v1/transfers`): each runs ``VolumeTransfer`` as an operation of
/// the runner, its progress read from the agents' reports. The last few are kept in memory.
public actor TransferService {
    let registry: DeviceRegistry
    let runner: JobRunner
    let logger: Logger
    private var transfers: [String: TransferResource] = [:]
    private var order: [String] = []
    /// How many finished transfers are kept.
    static let kept = 50

    /// Creates the service.
    public init(registry: DeviceRegistry, runner: JobRunner, logger: Logger) {
        self.registry = registry
        self.runner = runner
        self.logger = logger
    }

    /// Starts a transfer; it runs on, and `get` tells how it goes.
    public func start(_ body: TransferRequest) async throws -> TransferResource {
        let source = try await registry.get(body.source), destination = try await registry.get(body.destination)
        let id = UUID().uuidString.lowercased()
        var request = VolumeTransfer.Request(source: source.id, destination: destination.id, volumes: body.volumes,
                                             migration: body.migration ?? "transfer-\(id)")
        request.incremental = body.incremental ?? false
        request.live = body.live ?? false
        guard request.migration.count <= 64, TransferVolume.isValidName(request.migration) else {
            throw HomelabError.badRequest("migration must be 2 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit")
        }
        let resource = TransferResource(id: id, migration: request.migration, source: source.name, destination: destination.name,
                                        volumes: body.volumes, startedAt: Date())
        transfers[id] = resource
        order.append(id)
        while order.count > Self.kept, let oldest = order.first, transfers[oldest]?.state != .running {
            transfers.removeValue(forKey: oldest)
            order.removeFirst()
        }
        let coordinator = VolumeTransfer(registry: registry)
        let settled = request
        runner.submit(operation: {
            do {
                let outcome = try await coordinator.run(settled, id: id)
                await self.finish(id, outcome: .success(outcome))
            } catch {
                await self.finish(id, outcome: .failure(error))
            }
        })
        return resource
    }

    /// A transfer by id, with its latest progress.
    public func get(_ id: String) throws -> TransferResource {
        guard var resource = transfers[id] else {
            throw HomelabError.notFound("no transfer '\(id)' (the controller keeps the last \(Self.kept))")
        }
        if resource.state == .running, let entry = registry.transfers.entry(id) {
            resource.phase = entry.sourceProgress?.phase ?? resource.phase
            resource.sentBytes = entry.sourceProgress?.bytes ?? 0
            resource.writtenBytes = entry.destinationProgress?.bytes ?? 0
        }
        return resource
    }

    /// The transfers kept, newest first.
    public func list() -> [TransferResource] {
        order.reversed().compactMap { try? get($0) }
    }

    private func finish(_ id: String, outcome: Result<VolumeTransfer.Outcome, any Error>) {
        guard var resource = transfers[id] else { return }
        resource.finishedAt = Date()
        switch outcome {
        case .success(let outcome):
            resource.state = .succeeded
            resource.phase = "done"
            resource.route = outcome.route.rawValue
            resource.manifests = outcome.destination.volumes
            resource.sentBytes = outcome.source.streamBytes
            resource.writtenBytes = outcome.destination.streamBytes
            logger.info("transfer \(id) of \(resource.volumes) from \(resource.source) to \(resource.destination) succeeded (\(outcome.route.rawValue))")
        case .failure(let error):
            let failure = error as? HomelabError ?? HomelabError(.transferFailed, "\(error)")
            resource.state = .failed
            resource.failure = TransferFailure(code: failure.code.rawValue, message: failure.message)
            logger.warning("transfer \(id) from \(resource.source) to \(resource.destination) failed: \(failure.code): \(failure.message)")
        }
        transfers[id] = resource
    }
}
