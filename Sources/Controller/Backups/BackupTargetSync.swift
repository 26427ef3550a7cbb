import Protocol
import ServiceLifecycle

/// Keeps every REST target's agent serving what the controller decided: a target that connects gets
/// its settings again (its certificate follows a new address), and when a device is removed every
/// target learns that its certificate gets nothing any more.
struct BackupTargetSync: Service {
    let targets: BackupTargets
    let events: EventHub

    func run() async throws {
        let stream = events.subscribe()
        await cancelWhenGracefulShutdown {
            for await event in stream {
                switch event.type {
                case .deviceOnline:
                    guard let id = event.device?.id, (try? await targets.target(named: id))?.kind == .rest else { continue }
                    do {
                        try await targets.push(id)
                    } catch {
                        targets.logger.warning("backup target \(event.device?.name ?? id) did not take its settings: \(error)")
                    }
                case .deviceRemoved:
                    await targets.pushAll()
                default:
                    continue
                }
            }
        }
    }
}
