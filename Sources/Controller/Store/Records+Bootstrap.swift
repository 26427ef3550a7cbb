import Foundation
import GRDB
import Protocol

/// A host a scan found, stored as JSON under its address.
struct ScanCandidateRecord: Codable, FetchableRecord, PersistableRecord, Sendable {
    static let databaseTableName = "scanCandidate"
    var address: String
    var candidate: String
    var lastSeenAt: Date

    var decoded: ScanCandidate? { JSONText.decode(ScanCandidate.self, candidate) }
}

/// An accepted SSH host key.
struct KnownHostRecord: Codable, FetchableRecord, PersistableRecord, Sendable {
    static let databaseTableName = "knownHost"
    var host: String
    var port: Int
    var keyType: String
    var key: Data
    var fingerprint: String
    var addedAt: Date

    var resource: KnownHostResource {
        KnownHostResource(host: host, port: port, keyType: keyType, fingerprint: fingerprint, addedAt: addedAt)
    }
}

/// Where a bootstrapped device is reached over SSH (no secret).
struct SSHTargetRecord: Codable, FetchableRecord, PersistableRecord, Sendable {
    static let databaseTableName = "sshTarget"
    var device: String
    var host: String
    var port: Int
    var user: String
    var sudo: Bool
    var keyPath: String?
    var updatedAt: Date
}
