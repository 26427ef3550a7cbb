import Foundation
import GRDB

/// The controller's state in one SQLite database (WAL), with versioned migrations.
public final class Store: Sendable {
    let pool: DatabasePool

    /// Opens (creating and migrating) the database at `path`.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA foreign_keys = ON")
        }
        pool = try DatabasePool(path: path, configuration: configuration)
        try Self.migrator.migrate(pool)
    }

    /// Every schema change, in order. Never edit a shipped migration: add a new one.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: devices, tokens, metrics history, events") { db in
            try db.create(table: "device") { t in
                t.primaryKey("id", .text)
                t.column("name", .text).notNull().unique()
                t.column("state", .text).notNull()  // pending | enrolled
                t.column("publicKey", .blob).notNull()
                t.column("keyFingerprint", .text).notNull()
                t.column("certificateSerial", .text)
                t.column("labels", .text).notNull().defaults(to: "{}")
                t.column("address", .text)
                t.column("createdAt", .datetime).notNull()
                t.column("lastSeenAt", .datetime)
                t.column("facts", .text)
                t.column("metrics", .text)
                t.column("tokenID", .text)
            }
            try db.create(table: "joinToken") { t in
                t.primaryKey("id", .text)
                t.column("secretHash", .text).notNull()
                t.column("reusable", .boolean).notNull()
                t.column("labels", .text).notNull().defaults(to: "{}")
                t.column("description", .text)
                t.column("createdAt", .datetime).notNull()
                t.column("expiresAt", .datetime).notNull()
                t.column("uses", .integer).notNull().defaults(to: 0)
                t.column("revoked", .boolean).notNull().defaults(to: false)
            }
            try db.create(table: "apiToken") { t in
                t.primaryKey("id", .text)
                t.column("secretHash", .text).notNull()
                t.column("name", .text).notNull()
                t.column("createdAt", .datetime).notNull()
            }
            // Kept as history so later trends and downsampling have data, not only "latest".
            try db.create(table: "metricsSample") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("deviceID", .text).notNull().indexed()
                t.column("time", .datetime).notNull()
                t.column("sample", .text).notNull()
            }
            // The activity feed: every change a user would want to read later.
            try db.create(table: "event") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("time", .datetime).notNull()
                t.column("type", .text).notNull()
                t.column("deviceID", .text)
                t.column("message", .text).notNull()
            }
        }
        migrator.registerMigration("v2: deployments and their steps") { db in
            try db.create(table: "deployment") { t in
                t.primaryKey("id", .text)
                t.column("name", .text).notNull().unique()
                t.column("recipe", .text).notNull()
                t.column("state", .text).notNull()
                // The API view (DeploymentResource JSON): nothing secret in it.
                t.column("resource", .text).notNull()
                // AES-GCM sealed (SecretBox): inputs, generated secrets, the recipe's text and the rendered stacks.
                t.column("sealed", .blob).notNull()
                t.column("createdAt", .datetime).notNull()
                t.column("updatedAt", .datetime).notNull()
            }
            try db.create(table: "deploymentStep") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("deploymentID", .text).notNull().indexed().references("deployment", onDelete: .cascade)
                t.column("step", .text).notNull()
            }
        }
        migrator.registerMigration("v3: scan candidates, SSH known hosts, bootstrap targets") { db in
            // Hosts a network scan found, one row per address, kept across scans.
            try db.create(table: "scanCandidate") { t in
                t.primaryKey("address", .text)
                t.column("candidate", .text).notNull()  // ScanCandidate as JSON
                t.column("lastSeenAt", .datetime).notNull()
            }
            // The controller's known_hosts: one accepted host key per host and port.
            try db.create(table: "knownHost") { t in
                t.column("host", .text).notNull()
                t.column("port", .integer).notNull()
                t.column("keyType", .text).notNull()
                t.column("key", .blob).notNull()
                t.column("fingerprint", .text).notNull()
                t.column("addedAt", .datetime).notNull()
                t.primaryKey(["host", "port"])
            }
            // Where each bootstrapped device was reached over SSH, never a password or key; a key file's
            // path only when the user asked to save it.
            try db.create(table: "sshTarget") { t in
                t.primaryKey("device", .text)
                t.column("host", .text).notNull()
                t.column("port", .integer).notNull()
                t.column("user", .text).notNull()
                t.column("sudo", .boolean).notNull()
                t.column("keyPath", .text)
                t.column("updatedAt", .datetime).notNull()
            }
        }
        migrator.registerMigration("v4: jobs and their steps; deployments keep their spec, their jobs their state") { db in
            try JobsMigration.migrate(db)
        }
        migrator.registerMigration("issue-14: API token roles, expiry and revocation; the audit log; join-token expiries out of range") { db in
            try db.alter(table: "apiToken") { t in
                // Tokens made before roles existed were all the admin's.
                t.add(column: "role", .text).notNull().defaults(to: "admin")
                t.add(column: "expiresAt", .datetime)
                t.add(column: "revokedAt", .datetime)
            }
            // Every state-changing API call: who, what, which target, from where, and how it ended.
            try db.create(table: "audit") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("time", .datetime).notNull().indexed()
                t.column("tokenID", .text).notNull().indexed()
                t.column("tokenName", .text).notNull()
                t.column("role", .text).notNull()
                t.column("action", .text).notNull()
                t.column("target", .text).notNull()
                t.column("source", .text)
                t.column("status", .integer).notNull()
                t.column("errorCode", .text)
            }
            // A join token made with an unbounded lifetime (year 12020) could not be read back, which broke the token
            // list for good: such expiries become a year after creation, the longest lifetime allowed now.
            try db.execute(sql: """
                UPDATE joinToken SET expiresAt = datetime(createdAt, '+365 days')
                WHERE length(expiresAt) > 23 OR substr(expiresAt, 5, 1) != '-'
                """)
        }
        migrator.registerMigration("issue-17: dashboard sessions, deployments in the activity feed") { db in
            // Signed-in browsers: the cookie's SHA-256 only, the API token it stands for, its CSRF secret.
            try db.create(table: "webSession") { t in
                t.primaryKey("idHash", .text)
                t.column("tokenID", .text).notNull().indexed().references("apiToken", onDelete: .cascade)
                t.column("csrf", .text).notNull()
                t.column("createdAt", .datetime).notNull()
                t.column("expiresAt", .datetime).notNull()
            }
            try db.alter(table: "event") { t in t.add(column: "deployment", .text) }
            try db.create(index: "event_deployment", on: "event", columns: ["deployment"])
        }
        registerHistoryMigration(&migrator)
        registerAlertsMigration(&migrator)
        migrator.registerMigration("issue-19: backup targets, repositories and grants") { db in
            try BackupSchema.create(db)
        }
        migrator.registerMigration("issue-19: backup policies") { db in
            try BackupSchema.createPolicies(db)
        }
        return migrator
    }

    /// Runs `body` in a write transaction.
    public func write<T: Sendable>(_ body: @Sendable (Database) throws -> T) async throws -> T {
        try await pool.write(body)
    }

    /// Runs `body` on a read snapshot.
    public func read<T: Sendable>(_ body: @Sendable (Database) throws -> T) async throws -> T {
        try await pool.read(body)
    }
}
