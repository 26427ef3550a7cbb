import Foundation
import GRDB
import Logging
import Protocol
import Restic

/// The controller's own state, backed up to a REST backup target with the prune identity: a
/// consistent copy of the database (SQLite's online backup, safe while the controller runs), the CA,
/// the keys and identities (`pki/`) and the configuration files; and brought back on a fresh machine
/// from the recovery kit, after which the agents reconnect by themselves (same CA, same devices).
public struct ControllerStateBackup: Sendable {
    /// The controller's state directory.
    public var stateDirectory: URL
    /// Configuration files to keep with it (`/etc/homelab/controller.env`).
    public var configFiles: [URL]
    /// The restic executable, or nil for `restic` on `PATH`.
    public var resticPath: String?

    /// The repository's name on the target.
    public static let repositoryName = "controller"
    /// The tag of its snapshots.
    public static let tag = "kind=controller"

    /// Creates a backup description.
    public init(stateDirectory: URL, configFiles: [URL] = [], resticPath: String? = nil) {
        self.stateDirectory = stateDirectory
        self.configFiles = configFiles
        self.resticPath = resticPath
    }

    /// What a backup or a restore did.
    public struct Summary: Sendable, Equatable {
        /// The snapshot written or restored.
        public var snapshot: String
        /// Where it went or came from.
        public var repository: String
        /// Bytes read (backup) or files restored.
        public var bytes: UInt64
    }

    /// Backs the state up to `target` (the only backup target when nil).
    public func backup(target targetName: String?, logger: Logger) async throws -> Summary {
        let pki = stateDirectory.appendingPathComponent("pki")
        let database = stateDirectory.appendingPathComponent("controller.sqlite")
        guard FileManager.default.fileExists(atPath: database.path), FileManager.default.fileExists(atPath: pki.appendingPathComponent("ca.pem").path) else {
            throw HomelabError.notFound("\(stateDirectory.path) holds no controller state (controller.sqlite and pki/ca.pem)")
        }
        let store = try Store(path: database.path)
        let authority = try CertificateAuthority.loadOrCreate(in: pki)
        let targets = BackupTargets(store: store, registry: DeviceRegistry(store: store, events: EventHub(), heartbeatTTL: 30, logger: logger),
                                    authority: authority, box: try SecretBox.loadOrCreate(in: pki),
                                    prune: try ControllerIdentity.loadOrCreate(role: "prune", authority: authority, in: pki),
                                    recovery: try ControllerIdentity.loadOrCreate(role: "recovery", authority: authority, in: pki), logger: logger)
        let target = try await targets.resolve(targetName)
        guard target.kind == .rest else {
            throw HomelabError.badRequest("\(target.deviceName) is a local folder of that device: the controller's state goes to a REST target")
        }
        let record = try await targets.repository(app: nil, name: Self.repositoryName, on: target)
        let access = try await targets.access(record, on: target, from: nil)

        let staging = stateDirectory.appendingPathComponent("backup-staging")
        try? FileManager.default.removeItem(at: staging)
        try FileManager.default.createDirectory(at: staging.appendingPathComponent("pki"), withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(at: staging) }
        try store.pool.backup(to: try DatabaseQueue(path: staging.appendingPathComponent("controller.sqlite").path))
        for name in try FileManager.default.contentsOfDirectory(atPath: pki.path) {
            try FileManager.default.copyItem(at: pki.appendingPathComponent(name), to: staging.appendingPathComponent("pki/\(name)"))
        }
        var origins: [String: String] = [:]
        if !configFiles.isEmpty {
            try FileManager.default.createDirectory(at: staging.appendingPathComponent("config"), withIntermediateDirectories: true)
            for file in configFiles {
                try FileManager.default.copyItem(at: file, to: staging.appendingPathComponent("config/\(file.lastPathComponent)"))
                origins[file.lastPathComponent] = file.path
            }
        }
        let about = StateManifest(createdAt: Date(), controller: ControllerVersion.current, config: origins)
        try WireCoding.encoder.encode(about).write(to: staging.appendingPathComponent(StateManifest.filename))

        let summary = try await ControllerRestic(stateDirectory: stateDirectory, executable: resticPath).with(access, as: targets.prune) { restic, repository in
            try await restic.initializeIfMissing(repository)
            try? await restic.unlock(repository)
            return try await restic.backup(repository, directory: staging.path, path: ".", tags: ["homelab", Self.tag]) { _ in }
        }
        return Summary(snapshot: summary.snapshotID, repository: access.location, bytes: summary.totalBytes)
    }

    /// Restores the newest (or the given) snapshot from the recovery kit's folder (opened with
    /// `gpg -d … | tar -x`) into the state directory, which must hold no controller state unless `force`.
    public func restore(kit folder: URL, snapshot: String? = nil, repository override: String? = nil, force: Bool = false) async throws -> Summary {
        let kit = try WireCoding.decoder.decode(RecoveryKit.self, from: Data(contentsOf: folder.appendingPathComponent("kit.json")))
        guard let entry = kit.repositories.first(where: { $0.name == Self.repositoryName }) else {
            throw HomelabError.notFound("the recovery kit lists no controller repository: back the controller up (homelab-controller backup) and export the kit again")
        }
        guard let location = override ?? entry.url else {
            throw HomelabError.badRequest("the kit's controller repository has no URL: give --repository (its folder, copied from \(entry.target))")
        }
        if !force, FileManager.default.fileExists(atPath: stateDirectory.appendingPathComponent("controller.sqlite").path) {
            throw HomelabError.conflict("\(stateDirectory.path) already holds a controller's state: restore into an empty folder, or give --force to replace it")
        }
        let remote = location.hasPrefix("rest:")
        let repository = ResticRepository(location: location, password: entry.password,
                                          caCertificateFile: remote ? folder.appendingPathComponent("ca.pem").path : nil,
                                          clientCertificateFile: remote ? folder.appendingPathComponent("recovery.pem").path : nil,
                                          label: "\(Self.repositoryName) on \(entry.target)")
        try FileManager.default.createDirectory(at: stateDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let restic = try ControllerRestic(stateDirectory: stateDirectory, executable: resticPath).restic()
        let snapshots = try await restic.snapshots(repository, tags: [Self.tag])
        guard let chosen = snapshot.map({ id in snapshots.first { $0.id.hasPrefix(id) } }) ?? snapshots.last else {
            throw HomelabError.notFound(snapshot.map { "\(repository.label) has no snapshot \($0)" } ?? "\(repository.label) has no snapshot of the controller yet")
        }
        let staging = stateDirectory.appendingPathComponent("restore-staging")
        try? FileManager.default.removeItem(at: staging)
        defer { try? FileManager.default.removeItem(at: staging) }
        try await restic.restore(repository, snapshot: chosen.id, target: staging.path, verify: true)
        try Self.verify(staging)
        for name in ["controller.sqlite", "pki", "config", StateManifest.filename] {
            let source = staging.appendingPathComponent(name), destination = stateDirectory.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: source.path) else { continue }
            try? FileManager.default.removeItem(at: destination)
            try FileManager.default.moveItem(at: source, to: destination)
        }
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(at: stateDirectory.appendingPathComponent("controller.sqlite" + suffix)) }
        let attributes = try? FileManager.default.attributesOfItem(atPath: stateDirectory.appendingPathComponent("controller.sqlite").path)
        return Summary(snapshot: chosen.id, repository: location, bytes: (attributes?[.size] as? NSNumber)?.uint64Value ?? 0)
    }

    /// The restored copy opens: the database passes SQLite's integrity check and the CA's key matches its certificate.
    static func verify(_ folder: URL) throws {
        let queue = try DatabaseQueue(path: folder.appendingPathComponent("controller.sqlite").path)
        let result = try queue.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") }
        guard result == "ok" else { throw HomelabError.internal("the restored database fails SQLite's integrity check: \(result ?? "no answer")") }
        let pki = folder.appendingPathComponent("pki")
        guard FileManager.default.fileExists(atPath: pki.appendingPathComponent("ca.pem").path) else {
            throw HomelabError.internal("the restored state has no pki/ca.pem")
        }
        let authority = try CertificateAuthority.loadOrCreate(in: pki)
        guard authority.certificate.publicKey == .init(authority.privateKey.publicKey) else {
            throw HomelabError.internal("the restored CA key does not match its certificate")
        }
    }
}

/// `state.json` in a controller backup: when, which controller, and where the configuration files came from.
struct StateManifest: Codable, Sendable {
    static let filename = "state.json"
    var createdAt: Date
    var controller: String
    /// File name → its path on the machine that was backed up.
    var config: [String: String]
}
