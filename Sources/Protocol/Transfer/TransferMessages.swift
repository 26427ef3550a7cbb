extension MessageType {
    /// Controller → destination agent request: expect one transfer (``TransferExpect``); reply ``TransferExpected``.
    public static let transferExpect = "transfer.expect"
    /// Controller → source agent request: send volumes to a destination (``TransferSend``); reply ``TransferReport`` when done.
    public static let transferSend = "transfer.send"
    /// Controller → destination agent request: wait for an expected transfer to end (``TransferWait``); reply ``TransferReport``.
    public static let transferWait = "transfer.wait"
    /// Controller → agent request: abort a transfer on this side (``TransferCancel``).
    public static let transferCancel = "transfer.cancel"
    /// Controller → agent request: remove the volumes made for a migration (``TransferDiscard``).
    public static let transferDiscard = "transfer.discard"
    /// Agent → controller event: how far a transfer got (``TransferProgress``).
    public static let transferProgress = "transfer.progress"
}

/// A volume the destination makes for a transfer: its name and the labels it is created with (the source's).
public struct TransferVolume: Codable, Equatable, Sendable {
    /// The engine's volume name, the same on both devices (`<project>_<volume>`).
    public var name: String
    /// Labels the destination creates it with.
    public var labels: [String: String]
    /// Creates a volume description.
    public init(name: String, labels: [String: String] = [:]) {
        self.name = name
        self.labels = labels
    }

    /// Whether `name` is a volume name the engine accepts (``SafeName`` `.volume`), so never a path.
    public static func isValidName(_ name: String) -> Bool { SafeName.isValid(name, .volume) }
}

/// `transfer.expect`: the destination accepts one peer connection from `source` that presents `ticket`, before the ticket expires.
public struct TransferExpect: WireRequest, Equatable {
    public typealias Reply = TransferExpected
    public static var messageType: String { MessageType.transferExpect }
    /// The transfer's id (the controller's).
    public var transfer: String
    /// The one-time secret the source presents (64 hex digits).
    public var ticket: String
    /// The device id the source's certificate names.
    public var source: String
    /// The volumes to receive, in order.
    public var volumes: [TransferVolume]
    /// The migration the volumes are made for: they carry it as the label `io.homelab.migration`.
    public var migration: String
    /// Whether a volume already made for the same migration is the base of an incremental copy.
    public var incremental: Bool
    /// Seconds within which the source must connect.
    public var expiresIn: Int
    /// Creates the request.
    public init(transfer: String, ticket: String, source: String, volumes: [TransferVolume], migration: String,
                incremental: Bool, expiresIn: Int) {
        self.transfer = transfer
        self.ticket = ticket
        self.source = source
        self.volumes = volumes
        self.migration = migration
        self.incremental = incremental
        self.expiresIn = expiresIn
    }
}

/// Reply to `transfer.expect`: where the destination's peer port listens.
public struct TransferExpected: Codable, Equatable, Sendable {
    /// The peer port (TCP).
    public var port: Int
    /// Creates the reply.
    public init(port: Int) { self.port = port }
}

/// How a source reached its destination.
public enum TransferRoute: String, Codable, Sendable {
    /// Straight to the destination's peer port.
    case direct
    /// Through the controller, over both agents' controller links (no direct path).
    case relay
}

/// `transfer.send`: the source streams `volumes` to the destination's peer port with the ticket.
public struct TransferSend: WireRequest, Equatable {
    public typealias Reply = TransferReport
    public static var messageType: String { MessageType.transferSend }
    /// The transfer's id.
    public var transfer: String
    /// The ticket the destination expects.
    public var ticket: String
    /// The destination's device id: its certificate must name it.
    public var destination: String
    /// The destination's address.
    public var host: String
    /// The destination's peer port.
    public var port: Int
    /// The volumes to send, in order.
    public var volumes: [String]
    /// Send only what differs from the destination's copy of each volume (deletions included).
    public var incremental: Bool
    /// The volumes are in use (a warm copy): files that change while they are read do not fail the copy.
    public var live: Bool
    /// Whether the controller relays when the destination's peer port cannot be reached.
    public var relay: Bool
    /// Creates the request.
    public init(transfer: String, ticket: String, destination: String, host: String, port: Int, volumes: [String],
                incremental: Bool, live: Bool, relay: Bool) {
        self.transfer = transfer
        self.ticket = ticket
        self.destination = destination
        self.host = host
        self.port = port
        self.volumes = volumes
        self.incremental = incremental
        self.live = live
        self.relay = relay
    }
}

/// `transfer.wait`: the destination answers when the transfer has ended on its side.
public struct TransferWait: WireRequest, Equatable {
    public typealias Reply = TransferReport
    public static var messageType: String { MessageType.transferWait }
    /// The transfer's id.
    public var transfer: String
    /// Creates the request.
    public init(transfer: String) { self.transfer = transfer }
}

/// `transfer.cancel`: abort the transfer on this side; a destination removes what it made for it.
public struct TransferCancel: WireRequest, Equatable {
    public typealias Reply = Empty
    public static var messageType: String { MessageType.transferCancel }
    /// The transfer's id.
    public var transfer: String
    /// Why, for the log.
    public var reason: String
    /// Creates the request.
    public init(transfer: String, reason: String) {
        self.transfer = transfer
        self.reason = reason
    }
}

/// `transfer.discard`: remove the volumes labelled for `migration` that no container uses.
public struct TransferDiscard: WireRequest, Equatable {
    public typealias Reply = TransferDiscarded
    public static var messageType: String { MessageType.transferDiscard }
    /// The migration whose volumes go.
    public var migration: String
    /// Creates the request.
    public init(migration: String) { self.migration = migration }
}

/// Reply to `transfer.discard`.
public struct TransferDiscarded: Codable, Equatable, Sendable {
    /// The volumes removed.
    public var removed: [String]
    /// Creates the reply.
    public init(removed: [String]) { self.removed = removed }
}

/// What one side of a transfer reports at its end: the manifest of each volume as that side saw it.
public struct TransferReport: Codable, Equatable, Sendable {
    /// One summary per volume, in order.
    public var volumes: [VolumeSummary]
    /// How the data went (the source's report only).
    public var route: TransferRoute?
    /// Bytes of tar stream sent or received.
    public var streamBytes: UInt64
    /// Creates a report.
    public init(volumes: [VolumeSummary], route: TransferRoute? = nil, streamBytes: UInt64) {
        self.volumes = volumes
        self.route = route
        self.streamBytes = streamBytes
    }
}

/// `transfer.progress`: how far one side of a transfer got.
public struct TransferProgress: Codable, Equatable, Sendable {
    /// Which side reports.
    public enum Side: String, Codable, Sendable {
        case source, destination
    }
    /// The transfer's id.
    public var transfer: String
    /// Which side reports.
    public var side: Side
    /// The volume being worked on.
    public var volume: String?
    /// `connecting`, `manifest`, `streaming`, `verifying`, `done`.
    public var phase: String
    /// Tar stream bytes sent (source) or written (destination) so far, over all volumes.
    public var bytes: UInt64
    /// Creates a progress report.
    public init(transfer: String, side: Side, volume: String?, phase: String, bytes: UInt64) {
        self.transfer = transfer
        self.side = side
        self.volume = volume
        self.phase = phase
        self.bytes = bytes
    }
}
