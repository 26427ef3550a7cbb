import Foundation
import GRDB
import Protocol

/// A device row. `state` is what enrollment decided; online/offline is live state kept by the registry.
struct DeviceRecord: Codable, FetchableRecord, PersistableRecord, Sendable {
    static let databaseTableName = "device"
    enum State: String, Codable, Sendable { case pending, enrolled }

    var id: String
    var name: String
    var state: State
    var publicKey: Data
    var keyFingerprint: String
    var certificateSerial: String?
    var labels: String
    var address: String?
    var createdAt: Date
    var lastSeenAt: Date?
    var facts: String?
    var metrics: String?
    var tokenID: String?

    var decodedLabels: [String: String] { JSONText.decode([String: String].self, labels) ?? [:] }
    var decodedFacts: DeviceFacts? { facts.flatMap { JSONText.decode(DeviceFacts.self, $0) } }
    var decodedMetrics: MetricsSample? { metrics.flatMap { JSONText.decode(MetricsSample.self, $0) } }

    /// The API view, with the live status the registry knows.
    func resource(online: Bool) -> DeviceResource {
        DeviceResource(
            id: id, name: name, status: state == .pending ? .pending : (online ? .online : .offline),
            keyFingerprint: keyFingerprint, labels: decodedLabels, address: address, createdAt: createdAt,
            lastSeenAt: lastSeenAt, facts: decodedFacts, metrics: decodedMetrics
        )
    }

    /// Finds a device by name or id.
    static func find(_ db: Database, nameOrID: String) throws -> DeviceRecord? {
        try DeviceRecord.filter(Column("name") == nameOrID || Column("id") == nameOrID).fetchOne(db)
    }
}

/// A join token row; the secret is stored only as its SHA-256.
struct JoinTokenRecord: Codable, FetchableRecord, PersistableRecord, Sendable {
    static let databaseTableName = "joinToken"
    var id: String
    var secretHash: String
    var reusable: Bool
    var labels: String
    var description: String?
    var createdAt: Date
    var expiresAt: Date
    var uses: Int
    var revoked: Bool

    var resource: TokenResource {
        TokenResource(id: id, reusable: reusable, labels: JSONText.decode([String: String].self, labels) ?? [:],
                      description: description, createdAt: createdAt, expiresAt: expiresAt, uses: uses, revoked: revoked)
    }
}

/// An API bearer token row; the secret is stored only as its SHA-256.
struct APITokenRecord: Codable, FetchableRecord, PersistableRecord, Sendable {
    static let databaseTableName = "apiToken"
    var id: String
    var secretHash: String
    var name: String
    var createdAt: Date
    var role: APIRole
    var expiresAt: Date?
    var revokedAt: Date?

    var resource: APITokenResource {
        APITokenResource(id: id, name: name, role: role, createdAt: createdAt, expiresAt: expiresAt, revokedAt: revokedAt)
    }
}

/// One audit-log row (``AuditEntry``).
struct AuditRecord: Codable, FetchableRecord, PersistableRecord, Sendable {
    static let databaseTableName = "audit"
    var id: Int64?
    var time: Date
    var tokenID: String
    var tokenName: String
    var role: APIRole
    var action: String
    var target: String
    var source: String?
    var status: Int
    var errorCode: String?

    var entry: AuditEntry {
        AuditEntry(id: id ?? 0, time: time, tokenID: tokenID, tokenName: tokenName, role: role, action: action, target: target,
                   source: source, status: status, errorCode: errorCode)
    }
}

/// One stored metrics sample.
struct MetricsSampleRecord: Codable, FetchableRecord, PersistableRecord, Sendable {
    static let databaseTableName = "metricsSample"
    var id: Int64?
    var deviceID: String
    var time: Date
    var sample: String
}

/// One activity-feed entry.
struct EventRecord: Codable, FetchableRecord, PersistableRecord, Sendable {
    static let databaseTableName = "event"
    var id: Int64?
    var time: Date
    var type: String
    var deviceID: String?
    var message: String
}

/// JSON text columns, written with the wire coder.
enum JSONText {
    static func encode<T: Encodable>(_ value: T) -> String {
        (try? String(decoding: WireCoding.encoder.encode(value), as: UTF8.self)) ?? "null"
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) -> T? {
        try? WireCoding.decoder.decode(type, from: Data(text.utf8))
    }
}
