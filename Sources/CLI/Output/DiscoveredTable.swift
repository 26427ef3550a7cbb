import Foundation
import Protocol

/// The `homelab discover` table.
public struct DiscoveredTable: Sendable {
    /// The entries, in the order shown.
    public var items: [DiscoveredResource]
    /// The time "last seen" is measured from.
    public var now: Date

    /// Creates the table.
    public init(items: [DiscoveredResource], now: Date) {
        self.items = items
        self.now = now
    }

    /// The table text.
    public func render() -> String {
        Table(
            headers: ["KIND", "HOSTNAME", "ADDRESS", "ARCH", "STATE", "DEVICE", "VERSION", "FIRST SEEN", "LAST SEEN"],
            rows: items.map { item in
                [
                    item.kind.rawValue,
                    item.hostname,
                    item.source,
                    item.architecture ?? "-",
                    Self.state(item),
                    item.device ?? "-",
                    item.version,
                    Units.ago(item.firstSeenAt, now: now),
                    Units.ago(item.lastSeenAt, now: now),
                ]
            }
        ).render()
    }

    /// An agent's enrollment state and whether it has a session (`enrolled, linked`); `-` for controllers.
    static func state(_ item: DiscoveredResource) -> String {
        guard let state = item.state else { return "-" }
        return item.linked == true ? "\(state.rawValue), linked" : state.rawValue
    }
}
