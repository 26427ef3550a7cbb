import Foundation
import GRDB
import Protocol

extension TokenService {
    /// Every API token, oldest first (never their secrets).
    public func listAPITokens() async throws -> [APITokenResource] {
        try await store.read { db in
            try APITokenRecord.order(Column("createdAt"), Column("id")).fetchAll(db).map { APITokenResource(id: $0.id, name: $0.name, createdAt: $0.createdAt) }
        }
    }

    /// Makes an API token for `request.name`; its text is returned this once.
    public func createAPIToken(_ request: CreateAPITokenRequest, now: Date = Date()) async throws -> CreatedAPIToken {
        let name = request.name.trimmingCharacters(in: .whitespaces)
        guard (1...64).contains(name.count), !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw ControllerError.badRequest("name must be 1-64 printable characters")
        }
        let token = try await createAPIToken(name: name, now: now)
        let id = String(token.split(separator: ".")[1])
        return CreatedAPIToken(token: token, resource: APITokenResource(id: id, name: name, createdAt: now))
    }

    /// Revokes an API token: it stops working at once, and the dashboard sessions signed in with it end.
    /// The last one is kept, so the homelab never locks its owner out.
    public func revokeAPIToken(id: String) async throws {
        try await store.write { db in
            guard try APITokenRecord.fetchOne(db, key: id) != nil else { throw ControllerError.notFound("no API token with id '\(id)'") }
            guard try APITokenRecord.fetchCount(db) > 1 else {
                throw ControllerError.conflict("\(id) is the last API token: make another before revoking it")
            }
            _ = try APITokenRecord.deleteOne(db, key: id)
        }
    }

    /// The API token `text` stands for, when it is valid.
    public func identify(apiToken text: String) async -> APITokenResource? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "HLA1" else { return nil }
        let id = String(parts[1]), secret = String(parts[2])
        guard let record = try? await store.read({ db in try APITokenRecord.fetchOne(db, key: id) }),
              Secrets.constantTimeEquals(record.secretHash, Secrets.hash(secret)) else { return nil }
        return APITokenResource(id: record.id, name: record.name, createdAt: record.createdAt)
    }
}
