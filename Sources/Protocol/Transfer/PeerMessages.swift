extension MessageType {
    /// Source → destination request on the peer port: the ticket (``TransferOpen``); reply ``TransferOpened``.
    public static let transferOpen = "transfer.open"
    /// Source → destination request: a page of the manifest of the destination's copy of a volume (``TransferBase``).
    public static let transferBase = "transfer.base"
    /// Source → destination request: one volume, from a `manifest` and a `volume` stream (``TransferVolumeData``).
    public static let transferVolume = "transfer.volume"
}

/// The purposes of the streams of transfers.
public enum TransferStream {
    /// Source → destination: the source's manifest of a volume, one ``ManifestEntry`` JSON line after another.
    public static let manifest = "manifest"
    /// Source → destination: a volume's contents (what the destination lacks) as a tar stream.
    public static let volume = "volume"
    /// Over a controller link, either way: the raw bytes of a relayed peer connection (TLS inside),
    /// with the parameter `token` = the transfer's id.
    public static let relay = "relay"
}

/// `transfer.open`: the first request on a peer connection; the destination checks the ticket.
public struct TransferOpen: WireRequest, Equatable {
    public typealias Reply = TransferOpened
    public static var messageType: String { MessageType.transferOpen }
    /// The transfer's id.
    public var transfer: String
    /// The one-time ticket.
    public var ticket: String
    /// Creates the request.
    public init(transfer: String, ticket: String) {
        self.transfer = transfer
        self.ticket = ticket
    }
}

/// Reply to `transfer.open`: the volumes the destination expects and which of them it already holds a copy of.
public struct TransferOpened: Codable, Equatable, Sendable {
    /// One volume the destination expects.
    public struct Volume: Codable, Equatable, Sendable {
        /// Its name.
        public var name: String
        /// Whether the destination holds a copy made for the same migration, the base of an incremental copy.
        public var hasBase: Bool
        /// Creates a description.
        public init(name: String, hasBase: Bool) {
            self.name = name
            self.hasBase = hasBase
        }
    }
    /// The volumes, in order.
    public var volumes: [Volume]
    /// Creates the reply.
    public init(volumes: [Volume]) { self.volumes = volumes }
}

/// `transfer.base`: one page of the manifest of the destination's copy of a volume (walked at page 0).
public struct TransferBase: WireRequest, Equatable {
    public typealias Reply = TransferBasePage
    public static var messageType: String { MessageType.transferBase }
    /// The volume.
    public var volume: String
    /// The page, from 0.
    public var page: Int
    /// Creates the request.
    public init(volume: String, page: Int) {
        self.volume = volume
        self.page = page
    }
}

/// Reply to `transfer.base`: entries in manifest order, at most about 4 MiB of them.
public struct TransferBasePage: Codable, Equatable, Sendable {
    /// The entries of this page.
    public var entries: [ManifestEntry]
    /// Whether another page follows.
    public var more: Bool
    /// Creates a page.
    public init(entries: [ManifestEntry], more: Bool) {
        self.entries = entries
        self.more = more
    }
}

/// `transfer.volume`: the source has opened the streams `manifest` (its whole manifest) and `data` (a tar
/// of what the destination lacks); the destination unpacks, checks what it wrote against the manifest
/// and replies ``VolumeSummary``, or `manifest_mismatch`.
public struct TransferVolumeData: WireRequest, Equatable {
    public typealias Reply = VolumeSummary
    public static var messageType: String { MessageType.transferVolume }
    /// The volume.
    public var volume: String
    /// The id of the `manifest` stream.
    public var manifest: UInt32
    /// The id of the `volume` stream.
    public var data: UInt32
    /// A warm copy of volumes in use: what differs from the manifest is reported, not a failure.
    public var live: Bool
    /// Creates the request.
    public init(volume: String, manifest: UInt32, data: UInt32, live: Bool) {
        self.volume = volume
        self.manifest = manifest
        self.data = data
        self.live = live
    }
}
