import Foundation
import Protocol

/// The `homelab tokens list` table.
public struct TokenTable: Sendable {
    /// The tokens, in the order shown.
    public var tokens: [TokenResource]
    /// The time expiry is measured from.
    public var now: Date

    /// Creates the table.
    public init(tokens: [TokenResource], now: Date) {
        self.tokens = tokens
        self.now = now
    }

    /// The table text.
    public func render() -> String {
        Table(
            headers: ["ID", "STATE", "USE", "USES", "EXPIRES", "LABELS", "DESCRIPTION"],
            rows: tokens.map { token in
                [
                    token.id,
                    Self.state(token, now: now),
                    token.reusable ? "reusable" : "single",
                    "\(token.uses)",
                    Units.ago(token.expiresAt, now: now),
                    Self.labels(token.labels),
                    token.description ?? "-",
                ]
            }
        ).render()
    }

    /// `revoked`, `expired`, `used` (a single-use token already taken) or `active`.
    public static func state(_ token: TokenResource, now: Date) -> String {
        if token.revoked { return "revoked" }
        if token.expiresAt <= now { return "expired" }
        if !token.reusable, token.uses > 0 { return "used" }
        return "active"
    }

    /// `k=v,k2=v2` sorted by key, or `-`.
    public static func labels(_ labels: [String: String]) -> String {
        labels.isEmpty ? "-" : labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    }
}

/// The `homelab tokens list --api` table.
public struct APITokenTable: Sendable {
    /// The tokens, in the order shown.
    public var tokens: [APITokenResource]
    /// The time expiry is measured from.
    public var now: Date

    /// Creates the table.
    public init(tokens: [APITokenResource], now: Date) {
        self.tokens = tokens
        self.now = now
    }

    /// The table text.
    public func render() -> String {
        Table(
            headers: ["ID", "NAME", "ROLE", "STATE", "CREATED", "EXPIRES"],
            rows: tokens.map { token in
                let state = token.revokedAt != nil ? "revoked" : (token.expiresAt.map { $0 <= now } ?? false) ? "expired" : "active"
                return [token.id, token.name, token.role.rawValue, state, Units.ago(token.createdAt, now: now),
                        token.expiresAt.map { Units.ago($0, now: now) } ?? "never"]
            }
        ).render()
    }
}
