import Crypto
import Foundation
import GRDB

/// Dashboard sessions in the controller's database: the cookie's value is stored only as its SHA-256, and every
/// lookup joins the API token, so a token revoked or expired ends its sessions at once.
struct SessionStore: Sendable {
    let store: Store
    /// A session ends after this long without a request.
    var idleTimeout: TimeInterval = 12 * 3600
    /// And this long after sign-in, however busy.
    var lifetime: TimeInterval = 7 * 86400

    /// The cookie's name: `__Host-` makes browsers insist on Secure, Path=/ and no Domain.
    static let cookieName = "__Host-homelab-session"

    /// Opens a session for the API token `tokenID`; returns the cookie value (shown to nobody else) and the session.
    func create(tokenID: String, tokenName: String, now: Date = Date()) async throws -> (cookie: String, session: WebSession) {
        let cookie = Self.random(bytes: 32)
        let session = WebSession(tokenID: tokenID, tokenName: tokenName, csrf: Self.random(bytes: 24), expiresAt: now.addingTimeInterval(idleTimeout))
        try await store.write { db in
            try db.execute(sql: "DELETE FROM webSession WHERE expiresAt <= ?", arguments: [now])
            try db.execute(sql: "INSERT INTO webSession (idHash, tokenID, csrf, createdAt, expiresAt) VALUES (?, ?, ?, ?, ?)",
                           arguments: [Self.hash(cookie), tokenID, session.csrf, now, session.expiresAt])
        }
        return (cookie, session)
    }

    /// The live session a cookie value names; its idle deadline moves on when it is more than a minute old.
    func resolve(_ cookie: String, now: Date = Date()) async throws -> WebSession? {
        let key = Self.hash(cookie)
        let found = try await store.read { db -> (WebSession, Date)? in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT s.tokenID, t.name, s.csrf, s.createdAt, s.expiresAt FROM webSession s JOIN apiToken t ON t.id = s.tokenID
                WHERE s.idHash = ? AND s.expiresAt > ? AND t.revokedAt IS NULL AND (t.expiresAt IS NULL OR t.expiresAt > ?)
                """, arguments: [key, now, now]) else { return nil }
            return (WebSession(tokenID: row[0], tokenName: row[1], csrf: row[2], expiresAt: row[4]), row[3])
        }
        guard let (stored, createdAt) = found else { return nil }
        var session = stored
        let renewed = min(now.addingTimeInterval(idleTimeout), createdAt.addingTimeInterval(lifetime))
        if renewed.timeIntervalSince(session.expiresAt) > 60 {
            session.expiresAt = renewed
            try await store.write { db in
                try db.execute(sql: "UPDATE webSession SET expiresAt = ? WHERE idHash = ?", arguments: [renewed, key])
            }
        }
        return session
    }

    /// Ends the session a cookie value names (sign-out).
    func delete(_ cookie: String) async throws {
        try await store.write { db in try db.execute(sql: "DELETE FROM webSession WHERE idHash = ?", arguments: [Self.hash(cookie)]) }
    }

    /// `bytes` random bytes as URL-safe base64 without padding (valid in a cookie and a form field).
    static func random(bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        let data = Data((0..<bytes).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
        return data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func hash(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
