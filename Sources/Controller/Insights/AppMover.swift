import Foundation
import Protocol

/// Starts moving one component of a deployment, with its data, to another device: what a suggested move (and an
/// automatic one) calls. The controller's is ``DeploymentService``: a migration job (docs/migration.md).
public protocol AppMover: Sendable {
    /// Starts the move; returns once it is under way (or throws why it cannot start).
    func move(deployment: String, component: String, to device: String) async throws
}

extension DeploymentService: AppMover {
    /// Submits the migration of `component` to `device`; returns once the job is accepted (it goes on in the background).
    public func move(deployment: String, component: String, to device: String) async throws {
        _ = try await migrate(deployment, MigrationRequest(to: device, component: component))
    }
}
