import FoundationEssentials

/// What an API token may do. Every route names the least role it needs (the controller's access table).
public enum APIRole: String, Codable, Sendable, CaseIterable, Comparable {
    /// Reads everything, changes nothing.
    case viewer
    /// Runs the homelab: deploys, starts and stops, migrates, backs up and restores, acknowledges alerts;
    /// no tokens, no device approval or removal, no bootstrap.
    case `operator`
    /// Everything.
    case admin

    /// Whether this role may do what `required` allows.
    public func allows(_ required: APIRole) -> Bool { required <= self }

    public static func < (lhs: APIRole, rhs: APIRole) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// `POST /v1/api-tokens`: make an API token for a person or a program.
public struct CreateAPITokenRequest: Codable, Equatable, Sendable {
    /// Who it is for ("alice", "prometheus"); shown in the audit log.
    public var name: String
    /// What it may do.
    public var role: APIRole
    /// Lifetime in seconds; absent means it never expires.
    public var ttlSeconds: Int?

    /// Creates a request.
    public init(name: String, role: APIRole, ttlSeconds: Int? = nil) {
        self.name = name
        self.role = role
        self.ttlSeconds = ttlSeconds
    }
}

/// An API token as listed; its secret is never shown again after creation.
public struct APITokenResource: Codable, Equatable, Sendable {
    /// Public token id (the second part of `HLA1.<id>.<secret>`).
    public var id: String
    /// Who it is for.
    public var name: String
    /// What it may do.
    public var role: APIRole
    /// Creation time.
    public var createdAt: Date
    /// Expiry time, when it has one.
    public var expiresAt: Date?
    /// When it was revoked, if it was.
    public var revokedAt: Date?

    /// Creates a resource.
    public init(id: String, name: String, role: APIRole, createdAt: Date, expiresAt: Date?, revokedAt: Date?) {
        self.id = id
        self.name = name
        self.role = role
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
    }
}

/// `POST /v1/api-tokens` answer: the token, shown this once.
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

/// One state-changing API call, as the audit log (`GET /v1/audit`) keeps it.
public struct AuditEntry: Codable, Equatable, Sendable {
    /// Increasing id; pages continue with `before=ID`.
    public var id: Int64
    /// When the call was answered.
    public var time: Date
    /// The API token's id.
    public var tokenID: String
    /// The API token's name.
    public var tokenName: String
    /// Its role at the time.
    public var role: APIRole
    /// Method and route, as the OpenAPI document writes it (`DELETE /v1/devices/{name}`).
    public var action: String
    /// The concrete path the call named (`/v1/devices/pi4`).
    public var target: String
    /// The caller's address.
    public var source: String?
    /// The HTTP status answered.
    public var status: Int
    /// The error code when it failed.
    public var errorCode: String?

    /// Creates an entry.
    public init(id: Int64, time: Date, tokenID: String, tokenName: String, role: APIRole, action: String, target: String,
                source: String?, status: Int, errorCode: String?) {
        self.id = id
        self.time = time
        self.tokenID = tokenID
        self.tokenName = tokenName
        self.role = role
        self.action = action
        self.target = target
        self.source = source
        self.status = status
        self.errorCode = errorCode
    }
}

/// `GET /v1/audit` answer: newest first; `next` is the `before` value of the following page, when there is one.
public struct AuditPage: Codable, Equatable, Sendable {
    /// The entries of this page.
    public var items: [AuditEntry]
    /// Pass as `before` for the next (older) page.
    public var next: Int64?
    /// Creates a page.
    public init(items: [AuditEntry], next: Int64?) {
        self.items = items
        self.next = next
    }
}
