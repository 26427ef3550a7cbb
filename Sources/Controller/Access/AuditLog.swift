import Foundation
import GRDB
import Logging
import Protocol

/// The audit log: every state-changing API call with who made it (token name and id, role), what and on
/// which target, when, from where and how it ended. Each entry also lands in the activity feed.
public struct AuditLog: Sendable {
    let store: Store
    let logger: Logger

    /// Filters of `GET /v1/audit`.
    public struct Query: Sendable {
        /// Only entries older than this id (the previous page's `next`).
        public var before: Int64?
        /// Entries per page.
        public var limit = 100
        /// Only calls made with this token id.
        public var tokenID: String?
        /// Only calls whose action (`POST /v1/deployments`) contains this text.
        public var action: String?
        /// Only calls whose target path contains this text.
        public var target: String?
        /// Only calls that failed (status 400 and above), or only those that succeeded.
        public var failed: Bool?
        /// Only calls made at or after this time.
        public var since: Date?
        /// Creates a query.
        public init() {}
    }

    /// Records one call; a failure to write is logged, never passed to the caller.
    func record(_ identity: APIIdentity, action: String, target: String, source: String?, status: Int, errorCode: String?, now: Date = Date()) async {
        let row = AuditRecord(id: nil, time: now, tokenID: identity.tokenID, tokenName: identity.name, role: identity.role,
                              action: action, target: target, source: source, status: status, errorCode: errorCode)
        let outcome = status < 400 ? "done (\(status))" : "refused (\(status)\(errorCode.map { " \($0)" } ?? ""))"
        // The feed says the path as called; the route's pattern (`action`) stays in the audit entry.
        let method = action.split(separator: " ").first.map(String.init) ?? action
        let message = "\(identity.name) (\(identity.role.rawValue)): \(method) \(target) from \(source ?? "an unknown address"): \(outcome)"
        do {
            try await store.write { db in
                try row.insert(db)
                try EventRecord(id: nil, time: now, type: "audit", deviceID: nil, message: message).insert(db)
            }
        } catch {
            logger.error("could not write the audit log entry '\(message)': \(error)")
        }
    }

    /// One page of entries, newest first.
    public func page(_ query: Query) async throws -> AuditPage {
        let rows = try await store.read { db in
            var request = AuditRecord.order(Column("id").desc)
            if let before = query.before { request = request.filter(Column("id") < before) }
            if let tokenID = query.tokenID { request = request.filter(Column("tokenID") == tokenID) }
            if let action = query.action { request = request.filter(Column("action").like("%\(Self.escapeLike(action))%", escape: "\\")) }
            if let target = query.target { request = request.filter(Column("target").like("%\(Self.escapeLike(target))%", escape: "\\")) }
            if let failed = query.failed { request = request.filter(failed ? Column("status") >= 400 : Column("status") < 400) }
            if let since = query.since { request = request.filter(Column("time") >= since) }
            return try request.limit(query.limit + 1).fetchAll(db)
        }
        let items = rows.prefix(query.limit).map(\.entry)
        return AuditPage(items: Array(items), next: rows.count > query.limit ? items.last?.id : nil)
    }

    private static func escapeLike(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
    }
}
