import FoundationEssentials

/// `backup.swap`: while the project's containers are stopped, puts restored volumes' contents in
/// place of the project's volumes (`swap`), puts the old contents back (`revert`), drops the old
/// contents with the emptied fresh volume (`commit`), or removes fresh volumes never swapped in
/// (`discard`). Each step is idempotent: asking again after a dropped link or a restart is safe.
public struct VolumeSwap: WireRequest {
    public typealias Reply = VolumeSwapResult
    public static var messageType: String { MessageType.volumeSwap }

    /// What to do.
    public enum Step: String, Codable, Sendable { case swap, revert, commit, discard }

    public var project: String
    /// Each volume key of the project, with the fresh volume restored for it.
    public var volumes: [String: String]
    /// The restore run, which names the folder the old contents are kept in until `commit`.
    public var run: String
    public var step: Step

    /// Creates the request.
    public init(project: String, volumes: [String: String], run: String, step: Step) {
        self.project = project
        self.volumes = volumes
        self.run = run
        self.step = step
    }
}

/// What a ``VolumeSwap`` did: the volume keys it changed (a step already done changes none).
public struct VolumeSwapResult: Codable, Sendable, Equatable {
    public var changed: [String]

    /// Creates a result.
    public init(changed: [String]) { self.changed = changed }
}

extension MessageType {
    /// Controller → agent request: swap restored volumes in, back, or drop what is left.
    public static let volumeSwap = "backup.swap"
}
