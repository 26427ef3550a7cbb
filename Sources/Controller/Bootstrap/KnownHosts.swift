import Foundation
import GRDB
import Protocol
import SSHClient

/// The controller's known_hosts, in its SQLite store: one accepted host key per host and port.
/// An unknown key needs the user's explicit acceptance of its fingerprint; a changed key is refused.
public struct KnownHosts: Sendable {
    let store: Store

    /// What a host key is to us.
    enum Verdict: Equatable {
        case known
        case unknown
        case changed(known: String, since: Date)
    }

    /// Compares the offered key with the stored one.
    func check(host: String, port: Int, key: SSHConnection.HostKey) async throws -> Verdict {
        let stored = try await store.read { db in try KnownHostRecord.fetchOne(db, key: ["host": host, "port": port]) }
        guard let stored else { return .unknown }
        return stored.key == Data(key.blob) ? .known : .changed(known: stored.fingerprint, since: stored.addedAt)
    }

    /// Stores an accepted key.
    func accept(host: String, port: Int, key: SSHConnection.HostKey, now: Date = Date()) async throws {
        let record = KnownHostRecord(host: host, port: port, keyType: key.type, key: Data(key.blob), fingerprint: key.fingerprint, addedAt: now)
        try await store.write { db in try record.insert(db) }
    }

    /// Every known host.
    public func list() async throws -> [KnownHostResource] {
        try await store.read { db in try KnownHostRecord.order(Column("host"), Column("port")).fetchAll(db).map(\.resource) }
    }

    /// Forgets the keys of `host` (every port); not found when there were none.
    public func remove(host: String) async throws {
        let count = try await store.write { db in try KnownHostRecord.filter(Column("host") == host).deleteAll(db) }
        if count == 0 { throw HomelabError.notFound("no known host key for '\(host)'") }
    }
}
