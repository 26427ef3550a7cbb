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
        try InputBounds.joinTokenTTL.check(request.ttlSeconds)
        try Self.checkNote(request.description, field: "description")
        for (key, value) in request.labels { try Self.checkNote(key, field: "labels"); try Self.checkNote(value, field: "labels") }
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
        if !found { throw HomelabError.notFound("no join token with id '\(id)'") }
    }

    /// Checks a join token and counts one use, in the caller's transaction; returns the labels it gives.
    static func consume(_ token: JoinToken, caFingerprint: String, now: Date, db: Database) throws -> (id: String, labels: [String: String]) {
        guard token.caHash == caFingerprint else {
            throw HomelabError(.invalidToken, "the join token was made for another controller (its CA hash does not match this controller's)")
        }
        guard var record = try JoinTokenRecord.fetchOne(db, key: token.id),
              Secrets.constantTimeEquals(record.secretHash, Secrets.hash(token.secret)) else {
            throw HomelabError(.invalidToken, "unknown join token \(token.id)")
        }
        if record.revoked { throw HomelabError(.invalidToken, "join token \(token.id) was revoked") }
        if record.expiresAt <= now { throw HomelabError(.invalidToken, "join token \(token.id) expired at \(record.expiresAt.formatted(.iso8601))") }
        if !record.reusable && record.uses > 0 { throw HomelabError(.invalidToken, "join token \(token.id) is single-use and was already used") }
        record.uses += 1
        try record.update(db)
        return (record.id, JSONText.decode([String: String].self, record.labels) ?? [:])
    }

    // MARK: API tokens

    /// Creates the admin API token if none exists; returns its text only when it was just created.
    public func ensureAdminToken(now: Date = Date()) async throws -> String? {
        try await store.write { db -> String? in
            guard try APITokenRecord.fetchCount(db) == 0 else { return nil }
            return try Self.insertAPIToken(name: "admin", role: .admin, expiresAt: nil, now: now, db: db).token
        }
    }

    /// Makes a new API token; its text (`HLA1.<id>.<secret>`) is returned this once and never stored.
    public func createAPIToken(_ request: CreateAPITokenRequest, now: Date = Date()) async throws -> CreatedAPIToken {
        try InputBounds.apiTokenTTL.check(request.ttlSeconds)
        guard !request.name.isEmpty, request.name.count <= 64, PrintableText.sanitized(request.name) == request.name else {
            throw HomelabError.invalidValue(InputBoundError(field: "name", message: "name must be 1 to 64 printable characters"))
        }
        let expiresAt = request.ttlSeconds.map { now.addingTimeInterval(TimeInterval($0)) }
        return try await store.write { db in
            try Self.insertAPIToken(name: request.name, role: request.role, expiresAt: expiresAt, now: now, db: db)
        }
    }

    private static func insertAPIToken(name: String, role: APIRole, expiresAt: Date?, now: Date, db: Database) throws -> CreatedAPIToken {
        let id = Secrets.randomHex(bytes: 6)
        let secret = Secrets.randomHex(bytes: 24)
        let record = APITokenRecord(id: id, secretHash: Secrets.hash(secret), name: name, createdAt: now, role: role,
                                    expiresAt: expiresAt, revokedAt: nil)
        try record.insert(db)
        return CreatedAPIToken(token: "HLA1.\(id).\(secret)", resource: record.resource)
    }

    /// Every API token, newest first (never their secrets).
    public func listAPITokens() async throws -> [APITokenResource] {
        try await store.read { db in try APITokenRecord.order(Column("createdAt").desc).fetchAll(db).map(\.resource) }
    }

    /// Revokes an API token at once; the last admin token that still works cannot be revoked.
    public func revokeAPIToken(id: String, now: Date = Date()) async throws {
        try await store.write { db in
            guard var record = try APITokenRecord.fetchOne(db, key: id) else {
                throw HomelabError.notFound("no API token with id '\(PrintableText.escaped(id))'")
            }
            guard record.revokedAt == nil else { return }
            if record.role == .admin {
                let admins = try APITokenRecord.fetchAll(db).filter { $0.role == .admin && $0.id != id && Self.isUsable($0, now: now) }
                guard !admins.isEmpty else {
                    throw HomelabError.conflict("\(record.name) is the last admin token: make another admin token before revoking it")
                }
            }
            record.revokedAt = now
            try record.update(db)
        }
    }

    /// Who `text` belongs to, when it is a valid, unexpired, unrevoked API token.
    public func identify(_ text: String, now: Date = Date()) async -> APIIdentity? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "HLA1", parts[1].count <= 64, parts[2].count <= 128 else { return nil }
        let id = String(parts[1]), secret = String(parts[2])
        guard let record = try? await store.read({ db in try APITokenRecord.fetchOne(db, key: id) }),
              Secrets.constantTimeEquals(record.secretHash, Secrets.hash(secret)), Self.isUsable(record, now: now) else { return nil }
        return APIIdentity(tokenID: record.id, name: record.name, role: record.role)
    }

    /// Whether `text` is a valid API token.
    public func verifyAPIToken(_ text: String) async -> Bool {
        await identify(text) != nil
    }

    private static func isUsable(_ record: APITokenRecord, now: Date) -> Bool {
        record.revokedAt == nil && (record.expiresAt.map { $0 > now } ?? true)
    }

    /// Refuses a note or label that holds control characters or is longer than 256 characters.
    private static func checkNote(_ text: String?, field: String) throws {
        guard let text else { return }
        guard text.count <= 256, PrintableText.sanitized(text) == text else {
            throw HomelabError.invalidValue(InputBoundError(field: field, message: "\(field) must be at most 256 printable characters"))
        }
    }
}

/// Who made an API call: the token's id and name, and its role.
public struct APIIdentity: Sendable, Equatable {
    /// The token's public id.
    public let tokenID: String
    /// The token's name (a person or a program).
    public let name: String
    /// What it may do.
    public let role: APIRole
}
