extension MessageType {
    /// Controller → agent request: the size of each volume of a stack (or of volumes by name), measured now (``VolumeUsageRequest``).
    public static let volumeUsage = "volume.usage"
    /// Controller → agent request: room where the device's Docker keeps volumes (``StorageRequest``).
    public static let storageFree = "storage.free"
    /// Controller → agent request: pull a stack's missing images ahead of time (``StackPull``).
    public static let stackPull = "stack.pull"
}

/// `volume.usage`: what each volume of a stack (by its project label), or each volume named, holds.
public struct VolumeUsageRequest: WireRequest, Equatable {
    public typealias Reply = [VolumeUsage]
    public static var messageType: String { MessageType.volumeUsage }
    /// The stack whose volumes are measured.
    public var project: String?
    /// Or the volumes, by name.
    public var volumes: [String]?
    /// The volumes of a stack.
    public init(project: String) { self.project = project }
    /// Volumes by name.
    public init(volumes: [String]) { self.volumes = volumes }
}

/// A volume and what it holds, measured by walking it.
public struct VolumeUsage: Codable, Equatable, Sendable {
    /// The engine's name.
    public var name: String
    /// Its labels (the destination of a transfer creates its copy with them).
    public var labels: [String: String]
    /// Bytes it occupies on disk (allocated blocks: a sparse file counts its data only).
    public var allocatedBytes: UInt64
    /// Bytes of file content (holes included).
    public var contentBytes: UInt64
    /// Entries (files, directories, links), the root included.
    public var entries: Int
    /// Creates a usage.
    public init(name: String, labels: [String: String], allocatedBytes: UInt64, contentBytes: UInt64, entries: Int) {
        self.name = name
        self.labels = labels
        self.allocatedBytes = allocatedBytes
        self.contentBytes = contentBytes
        self.entries = entries
    }
}

/// `storage.free`: the file system where the device's Docker keeps its volumes, or the one holding `path`.
public struct StorageRequest: WireRequest, Equatable {
    public typealias Reply = StorageStatus
    public static var messageType: String { MessageType.storageFree }
    /// An absolute path (a backup target's folder, which need not exist yet: its nearest existing parent is
    /// measured); nil for Docker's volumes.
    public var path: String?
    /// Creates the request.
    public init(path: String? = nil) { self.path = path }
}

/// Room for volumes on a device.
public struct StorageStatus: Codable, Equatable, Sendable {
    /// What was measured (`<Docker root>/volumes`, or the path asked).
    public var path: String
    /// Size of that file system.
    public var totalBytes: UInt64
    /// Bytes free there.
    public var freeBytes: UInt64
    /// Creates a status.
    public init(path: String, totalBytes: UInt64, freeBytes: UInt64) {
        self.path = path
        self.totalBytes = totalBytes
        self.freeBytes = freeBytes
    }
}

/// `stack.pull`: pull the images of a stack that are missing, reporting `stack.progress` (phase `pull`).
public struct StackPull: WireRequest, Equatable {
    public typealias Reply = StackPullResult
    public static var messageType: String { MessageType.stackPull }
    /// The stack whose images are wanted.
    public var spec: StackSpec
    /// Credentials by registry.
    public var credentials: [RegistryCredentials]?
    /// Creates the request.
    public init(spec: StackSpec, credentials: [RegistryCredentials]? = nil) {
        self.spec = spec
        self.credentials = credentials
    }
}

/// Reply to `stack.pull`.
public struct StackPullResult: Codable, Equatable, Sendable {
    /// Images pulled now.
    public var pulled: [String]
    /// Images that were there already.
    public var present: [String]
    /// Creates the result.
    public init(pulled: [String], present: [String]) {
        self.pulled = pulled
        self.present = present
    }
}
