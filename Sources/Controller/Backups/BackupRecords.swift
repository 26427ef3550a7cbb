import Foundation
import GRDB

/// A device chosen as a backup target: restic's REST protocol from its agent (`rest`), or a folder
/// on the device itself for its own apps (`local`, a USB disk).
struct BackupTargetRecord: Codable, FetchableRecord, PersistableRecord, Sendable {
    static let databaseTableName = "backupTarget"
    enum Kind: String, Codable, Sendable { case rest, local }

    var deviceID: String
    var kind: Kind
    /// The folder of repositories on the device.
    var path: String
    /// The REST port (`rest` only).
    var port: Int
    /// The device's name and address when last configured, kept for the recovery kit.
    var deviceName: String
    var address: String?
    /// The server certificate (PEM) the CA issued for the device's key and `address`.
    var certificate: String?
    var createdAt: Date
}

/// One repository: an app's (`apps/NAME`) or the controller's own (`controller`), on one target,
/// with its password sealed (``SecretBox``).
struct BackupRepositoryRecord: Codable, FetchableRecord, PersistableRecord, Sendable {
    static let databaseTableName = "backupRepository"
    var id: String
    /// The path under the target's folder and in its URL.
    var name: String
    /// The deployment it belongs to; nil for the controller's own.
    var app: String?
    var targetDeviceID: String
    var sealedPassword: Data
    var createdAt: Date
}

/// A device that may append to a repository (and read it) on a REST target.
struct BackupGrantRecord: Codable, FetchableRecord, PersistableRecord, Sendable {
    static let databaseTableName = "backupGrant"
    var repositoryID: String
    var deviceID: String
}

/// A deployment's backup policy as set (``BackupPolicySpec`` as JSON); an app without one has the default.
struct BackupPolicyRecord: Codable, FetchableRecord, PersistableRecord, Sendable {
    static let databaseTableName = "backupPolicy"
    var deploymentID: String
    var spec: String
    var updatedAt: Date
}

/// The tables of backups.
enum BackupSchema {
    /// The policies table (migration `issue-19: backup policies`); a policy ends with its deployment.
    static func createPolicies(_ db: Database) throws {
        try db.create(table: "backupPolicy") { t in
            t.primaryKey("deploymentID", .text).references("deployment", onDelete: .cascade)
            t.column("spec", .text).notNull()
            t.column("updatedAt", .datetime).notNull()
        }
    }

    /// Creates them (migration `issue-19: backup targets, repositories and grants`).
    static func create(_ db: Database) throws {
        // No foreign key: a target whose device was removed still tells the recovery kit where its repositories are.
        try db.create(table: "backupTarget") { t in
            t.primaryKey("deviceID", .text)
            t.column("kind", .text).notNull()
            t.column("path", .text).notNull()
            t.column("port", .integer).notNull()
            // The device's name and address when last seen, for the recovery kit.
            t.column("deviceName", .text).notNull()
            t.column("address", .text)
            // The server certificate issued for the device's key and address, reused while both stay the same.
            t.column("certificate", .text)
            t.column("createdAt", .datetime).notNull()
        }
        try db.create(table: "backupRepository") { t in
            t.primaryKey("id", .text)
            t.column("name", .text).notNull()
            t.column("app", .text)
            // Kept when the target's device is removed: the repository (and its password) outlive it.
            t.column("targetDeviceID", .text).notNull()
            t.column("sealedPassword", .blob).notNull()
            t.column("createdAt", .datetime).notNull()
            t.uniqueKey(["targetDeviceID", "name"])
        }
        // Grants end with their device: a removed device's certificate gets nothing more from any target.
        try db.create(table: "backupGrant") { t in
            t.column("repositoryID", .text).notNull().references("backupRepository", onDelete: .cascade)
            t.column("deviceID", .text).notNull().references("device", onDelete: .cascade)
            t.primaryKey(["repositoryID", "deviceID"])
        }
    }
}
