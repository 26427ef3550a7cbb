import Foundation
import GRDB
import Protocol

/// The activity feed: the `event` table, newest first, a page at a time.
public struct ActivityFeed: Sendable {
    let store: Store
    /// Most entries one page holds.
    public static let maximumLimit = 200

    /// Creates a feed over the controller's store.
    public init(store: Store) { self.store = store }

    /// Up to `limit` entries older than the entry `before` (the newest when nil), newest first, with device names.
    public func page(before: Int64? = nil, limit: Int = 50) async throws -> ActivityPage {
        guard (1...Self.maximumLimit).contains(limit) else {
            throw HomelabError.badRequest("limit must be 1-\(Self.maximumLimit), got \(limit)")
        }
        let (rows, names) = try await store.read { db in
            var query = EventRecord.order(Column("id").desc).limit(limit + 1)
            if let before { query = query.filter(Column("id") < before) }
            let rows = try query.fetchAll(db)
            let ids = Set(rows.compactMap(\.deviceID))
            let names = try DeviceRecord.filter(ids.contains(Column("id"))).fetchAll(db).reduce(into: [String: String]()) { $0[$1.id] = $1.name }
            return (rows, names)
        }
        let items = rows.prefix(limit).map { row in
            ActivityEntry(id: row.id ?? 0, time: row.time, type: row.type, device: row.deviceID.flatMap { names[$0] },
                          deployment: row.deployment, message: row.message)
        }
        return ActivityPage(items: Array(items), next: rows.count > limit ? items.last?.id : nil)
    }
}
