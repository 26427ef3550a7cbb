import FoundationEssentials

/// `POST /v1/api-tokens`: make an API token for a person or a script (it signs in to the dashboard too).
public struct CreateAPITokenRequest: Codable, Equatable, Sendable {
    /// Who or what it is for (`alice`, `prometheus`): 1-64 characters.
    public var name: String

    /// Creates a request.
    public init(name: String) { self.name = name }
}

/// An API token as listed; its secret is never shown again after creation.
public struct APITokenResource: Codable, Equatable, Sendable {
    /// Public id (the middle part of `HLA1.<id>.<secret>`).
    public var id: String
    /// Who or what it is for.
    public var name: String
    /// When it was made.
    public var createdAt: Date

    /// Creates a resource.
    public init(id: String, name: String, createdAt: Date) {
        self.id = id
        self.name = name
        self.createdAt = createdAt
    }
}

/// The `POST /v1/api-tokens` answer: the token, shown this once.
public struct CreatedAPIToken: Codable, Equatable, Sendable {
    /// The whole token, `HLA1.<id>.<secret>`.
    public var token: String
    /// Its listing.
    public var resource: APITokenResource

    /// Creates an answer.
    public init(token: String, resource: APITokenResource) {
        self.token = token
        self.resource = resource
    }
}
