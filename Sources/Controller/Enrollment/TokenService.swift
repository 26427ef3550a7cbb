import Foundation
import GRDB
import Protocol

/// Join tokens (for agents) and API tokens (for the CLI and browser), stored hashed.
public struct TokenService: Sendable {
    let store: Store
    let caFingerprint: String
    /// Lifetime of a join token when the request names none.
    public static let defaultJoinTokenTTL: TimeInterval = 24 * 3600

    // MARK: Join tokens

    /// Makes a join token; its text is returned this once and never stored.
    public func createJoinToken(_ request: CreateTokenRequest, now: Date = Date()) async throws -> CreatedToken {
        if let ttl = request.ttlSeconds, ttl <= 0 {
            throw ControllerError.badRequest("ttlSeconds must be positive, got \(ttl)")
        }
        let id = Secrets.randomHex(bytes: 6)
        let secret = Secrets.randomHex(bytes: 24)
        let record = JoinTokenRecord(
            id: id, secretHash: Secrets.hash(secret), reusable: request.reusable, labels: JSONText.encode(request.labels),
            description: request.description, createdAt: now,
            expiresAt: now.addingTimeInterval(request.ttlSeconds.map(TimeInterval.init) ?? Self.defaultJoinTokenTTL),
            uses: 0, revoked: false)
        try await store.write { db in try record.insert(db) }
        let token = JoinToken(caHash: caFingerprint, id: id, secret: secret)
        return CreatedToken(token: token.description, resource: record.resource)
    }

    /// Every join token, newest first.
    public func listJoinTokens() async throws -> [TokenResource] {
        try await store.read { db in
            try JoinTokenRecord.order(Column("createdAt").desc).fetchAll(db).map(\.resource)
        }
    }

    /// Revokes a join token; devices already enrolled with it stay enrolled.
    public func revokeJoinToken(id: String) async throws {
        let found = try await store.write { db -> Bool in
            guard var record = try JoinTokenRecord.fetchOne(db, key: id) else { return false }
            record.revoked = true
            try record.update(db)
            return true
        }
        if !found { throw ControllerError.notFound("no join token with id '\(id)'") }
    }

    /// Checks a join token and counts one use, in the caller's transaction; returns the labels it gives.
    static func consume(_ token: JoinToken, caFingerprint: String, now: Date, db: Database) throws -> (id: String, labels: [String: String]) {
        guard token.caHash == caFingerprint else {
            throw ProtocolError(.invalidToken, "the join token was made for another controller (its CA hash does not match this controller's)")
        }
        guard var record = try JoinTokenRecord.fetchOne(db, key: token.id),
              Secrets.constantTimeEquals(record.secretHash, Secrets.hash(token.secret)) else {
            throw ProtocolError(.invalidToken, "unknown join token \(token.id)")
        }
        if record.revoked { throw ProtocolError(.invalidToken, "join token \(token.id) was revoked") }
        if record.expiresAt <= now { throw ProtocolError(.invalidToken, "join token \(token.id) expired at \(record.expiresAt.formatted(.iso8601))") }
        if !record.reusable && record.uses > 0 { throw ProtocolError(.invalidToken, "join token \(token.id) is single-use and was already used") }
        record.uses += 1
        try record.update(db)
        return (record.id, JSONText.decode([String: String].self, record.labels) ?? [:])
    }

    // MARK: API tokens

    /// Creates the admin API token if none exists; returns its text only when it was just created.
    public func ensureAdminToken(now: Date = Date()) async throws -> String? {
        try await store.write { db -> String? in
            guard try APITokenRecord.fetchCount(db) == 0 else { return nil }
            return try Self.insertAPIToken(name: "admin", now: now, db: db)
        }
    }

    /// Makes a new API token named `name` and returns its text (`HLA1.<id>.<secret>`).
    public func createAPIToken(name: String, now: Date = Date()) async throws -> String {
        try await store.write { db in try Self.insertAPIToken(name: name, now: now, db: db) }
    }

    private static func insertAPIToken(name: String, now: Date, db: Database) throws -> String {
        let id = Secrets.randomHex(bytes: 6)
        let secret = Secrets.randomHex(bytes: 24)
        try APITokenRecord(id: id, secretHash: Secrets.hash(secret), name: name, createdAt: now).insert(db)
        return "HLA1.\(id).\(secret)"
    }

    /// Whether `text` is a valid API token.
    public func verifyAPIToken(_ text: String) async -> Bool {
        await identify(apiToken: text) != nil
    }
}
