import FoundationEssentials

/// `POST /v1/tokens`: make a join token.
public struct CreateTokenRequest: Codable, Equatable, Sendable {
    /// Usable by any number of devices until it expires or is revoked.
    public var reusable: Bool
    /// Lifetime in seconds; absent means the default (24 h).
    public var ttlSeconds: Int?
    /// Labels every device that joins with it gets.
    public var labels: [String: String]
    /// A note for people ("living-room Pis").
    public var description: String?

    /// Creates a request.
    public init(reusable: Bool = false, ttlSeconds: Int? = nil, labels: [String: String] = [:], description: String? = nil) {
        self.reusable = reusable
        self.ttlSeconds = ttlSeconds
        self.labels = labels
        self.description = description
    }
}

/// A join token as listed; its secret is never shown again after creation.
public struct TokenResource: Codable, Equatable, Sendable {
    /// Public token id (the third part of `HLJ1.<ca>.<id>.<secret>`).
    public var id: String
    /// Reusable or single-use.
    public var reusable: Bool
    /// Labels given to joining devices.
    public var labels: [String: String]
    /// Note for people.
    public var description: String?
    /// Creation time.
    public var createdAt: Date
    /// Expiry time.
    public var expiresAt: Date
    /// How many devices enrolled with it.
    public var uses: Int
    /// Revoked by `homelab tokens revoke`.
    public var revoked: Bool

    /// Creates a resource.
    public init(id: String, reusable: Bool, labels: [String: String], description: String?, createdAt: Date, expiresAt: Date, uses: Int, revoked: Bool) {
        self.id = id
        self.reusable = reusable
        self.labels = labels
        self.description = description
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.uses = uses
        self.revoked = revoked
    }
}

/// `POST /v1/tokens` answer: the token string, shown this once.
public struct CreatedToken: Codable, Equatable, Sendable {
    /// The whole join token, `HLJ1.<CA hash>.<id>.<secret>`.
    public var token: String
    /// Its listing.
    public var resource: TokenResource
    /// Creates an answer.
    public init(token: String, resource: TokenResource) {
        self.token = token
        self.resource = resource
    }
}

/// `GET /v1/controller`: who the controller is.
public struct ControllerInfo: Codable, Equatable, Sendable {
    /// Software version.
    public var version: String
    /// `SHA256:` fingerprint of the CA certificate (hex of the DER hash, as in join tokens).
    public var caFingerprint: String
    /// Address agents dial (`host:port`).
    public var agentAddress: String
    /// Creates the info.
    public init(version: String, caFingerprint: String, agentAddress: String) {
        self.version = version
        self.caFingerprint = caFingerprint
        self.agentAddress = agentAddress
    }
}
