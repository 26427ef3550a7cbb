import Foundation
import Protocol

/// Starts moving one component of a deployment, with its data, to another device: what a suggested move (and an
/// automatic one) calls. The migration job (issue 18) is its real implementation.
public protocol AppMover: Sendable {
    /// Starts the move; returns once it is under way (or throws why it cannot start).
    func move(deployment: String, component: String, to device: String) async throws
}

/// The mover until migration exists: every move is refused with `not_implemented` (501), and nothing changes.
public struct MigrationNotBuilt: AppMover {
    /// Creates the mover.
    public init() {}

    public func move(deployment: String, component: String, to device: String) async throws {
        throw HomelabError(.notImplemented,
                            "moving an app with its data to another device is not built yet: \(deployment) stays where it is")
    }
}
