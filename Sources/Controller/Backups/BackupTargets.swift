import Crypto
import Foundation
import GRDB
import Logging
import Protocol
import X509

/// The devices that hold backups, and what each target's agent serves: the folder, the port, a
/// server certificate for the device's own key, and who may do what (the prune identity everything,
/// the recovery identity reading, each source device appending to the repositories granted to it).
public struct BackupTargets: Sendable {
    let store: Store
    let registry: DeviceRegistry
    let authority: CertificateAuthority
    let box: SecretBox
    /// The only identity that may delete from a repository.
    public let prune: ControllerIdentity
    /// The recovery kit's identity: reads every repository.
    public let recovery: ControllerIdentity
    let logger: Logger

    /// Makes (or changes) a target and, for a REST target, has its agent serve at once.
    public func add(device nameOrID: String, _ request: BackupTargetRequest, now: Date = Date()) async throws -> BackupTargetResource {
        let device = try await registry.get(nameOrID)
        guard request.path.hasPrefix("/"), !request.path.contains("/../"), !request.path.hasSuffix("/..") else {
            throw HomelabError.badRequest("path: '\(request.path)' is not an absolute path")
        }
        guard let kind = BackupTargetRecord.Kind(rawValue: request.kind ?? "rest") else {
            throw HomelabError.badRequest("kind: '\(request.kind ?? "")' is not rest or local")
        }
        let port = request.port ?? 7447
        guard (1...65535).contains(port) else { throw HomelabError.badRequest("port: \(port) is not a port") }
        let existing = try await store.read { db in try BackupTargetRecord.fetchOne(db, key: device.id) }
        let record = BackupTargetRecord(deviceID: device.id, kind: kind, path: request.path, port: port, deviceName: device.name,
                                        address: device.address, certificate: existing?.certificate, createdAt: existing?.createdAt ?? now)
        try await store.write { db in try record.save(db) }
        var status: BackupTargetStatus?
        if kind == .rest {
            do {
                status = try await push(device.id)
            } catch {
                // Nothing half-made: a target whose agent refused its settings is not kept.
                if let existing { try? await store.write { db in try existing.save(db) } } else {
                    _ = try? await store.write { db in try record.delete(db) }
                }
                throw error
            }
        } else if existing?.kind == .rest {
            _ = try? await registry.ask(device.id, BackupTargetConfigure(settings: nil))
        }
        return try await resource(record, status: status)
    }

    /// Whether any target is set up: one read of the store, no device asked (``list()`` measures each).
    func exist() async throws -> Bool {
        try await store.read { db in try BackupTargetRecord.fetchCount(db) } > 0
    }

    /// Every target.
    public func list() async throws -> [BackupTargetResource] {
        let records = try await store.read { db in try BackupTargetRecord.order(Column("deviceName")).fetchAll(db) }
        var resources: [BackupTargetResource] = []
        for record in records { resources.append(try await resource(record, status: await measured(record))) }
        return resources
    }

    /// Stops a target; refused while repositories are stored there (they stay on its disk either way).
    public func remove(device nameOrID: String) async throws {
        let record = try await target(named: nameOrID)
        let count = try await store.read { db in
            try BackupRepositoryRecord.filter(Column("targetDeviceID") == record.deviceID).fetchCount(db)
        }
        guard count == 0 else {
            throw HomelabError.conflict("\(record.deviceName) holds \(count) backup repositories: move or forget them first (they stay on its disk)")
        }
        if record.kind == .rest { _ = try? await registry.ask(record.deviceID, BackupTargetConfigure(settings: nil)) }
        _ = try await store.write { db in try record.delete(db) }
    }

    /// The target of a device by name or id.
    func target(named nameOrID: String) async throws -> BackupTargetRecord {
        let found = try await store.read { db -> BackupTargetRecord? in
            if let device = try DeviceRecord.find(db, nameOrID: nameOrID) { return try BackupTargetRecord.fetchOne(db, key: device.id) }
            return try BackupTargetRecord.filter(Column("deviceName") == nameOrID).fetchOne(db)
        }
        guard let found else { throw HomelabError.notFound("\(nameOrID) is not a backup target (homelab backup targets add \(nameOrID) --path …)") }
        return found
    }

    /// The target named, or the only one there is when none is.
    func resolve(_ name: String?) async throws -> BackupTargetRecord {
        if let name { return try await target(named: name) }
        return try await defaultTarget()
    }

    /// The target to use when none is named: the only one there is.
    func defaultTarget() async throws -> BackupTargetRecord {
        let all = try await store.read { db in try BackupTargetRecord.fetchAll(db) }
        guard all.count == 1, let only = all.first else {
            throw HomelabError(.backupTargetRequired, all.isEmpty
                ? "there is no backup target yet: homelab backup targets add DEVICE --path /srv/homelab-backups"
                : "there are \(all.count) backup targets (\(all.map(\.deviceName).sorted().joined(separator: ", "))): name one")
        }
        return only
    }

    // MARK: What a target's agent serves

    /// Sends the target its settings; answers with what its agent reports.
    @discardableResult
    func push(_ deviceID: String) async throws -> BackupTargetStatus {
        let settings = try await settings(for: deviceID)
        return try await registry.ask(deviceID, BackupTargetConfigure(settings: settings), timeout: .seconds(30))
    }

    /// Sends every REST target whose device is connected its settings (after a grant changed or a
    /// device was removed); a target offline now gets them when it connects.
    func pushAll() async {
        let targets = (try? await store.read { db in try BackupTargetRecord.filter(Column("kind") == "rest").fetchAll(db) }) ?? []
        for target in targets {
            do {
                try await push(target.deviceID)
            } catch let error as HomelabError where error.isDeviceUnreachable {
                continue
            } catch {
                logger.warning("backup target \(target.deviceName) did not take its settings: \(error)")
            }
        }
    }

    /// The settings of a REST target now: its certificate (reused while the device's key and
    /// address stay the same) and its principals.
    func settings(for deviceID: String) async throws -> BackupTargetSettings {
        let (target, device, grants) = try await store.read { db -> (BackupTargetRecord?, DeviceRecord?, [(BackupGrantRecord, String, Data)]) in
            let target = try BackupTargetRecord.fetchOne(db, key: deviceID)
            let device = try DeviceRecord.fetchOne(db, key: deviceID)
            let rows = try Row.fetchAll(db, sql: """
                SELECT g.repositoryID, g.deviceID, r.name, d.publicKey FROM backupGrant g
                JOIN backupRepository r ON r.id = g.repositoryID JOIN device d ON d.id = g.deviceID
                WHERE r.targetDeviceID = ? AND d.state = 'enrolled'
                """, arguments: [deviceID])
            let grants = rows.map { row in
                (BackupGrantRecord(repositoryID: row["repositoryID"], deviceID: row["deviceID"]), row["name"] as String, row["publicKey"] as Data)
            }
            return (target, device, grants)
        }
        guard var target, target.kind == .rest else { throw HomelabError.notFound("\(deviceID) is not a REST backup target") }
        guard let device, device.state == .enrolled else { throw HomelabError.notFound("the device of backup target \(target.deviceName) is gone") }
        let certificate = try certificate(for: device, reusing: target.certificate)
        if certificate != target.certificate || target.address != device.address || target.deviceName != device.name {
            target.certificate = certificate
            target.address = device.address
            target.deviceName = device.name
            let updated = target
            try await store.write { db in try updated.save(db) }
        }
        var sources: [String: (name: String, key: String, repositories: [String])] = [:]
        let names = try await store.read { db in
            try Dictionary(DeviceRecord.fetchAll(db).map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        }
        for (grant, repository, publicKey) in grants {
            let key = SHA256.hash(data: publicKey).hexString
            sources[grant.deviceID, default: (names[grant.deviceID] ?? grant.deviceID, key, [])].repositories.append(repository)
        }
        let principals = [BackupPrincipal(key: prune.keyHash, name: "controller prune identity", role: .prune),
                          BackupPrincipal(key: recovery.keyHash, name: "recovery kit", role: .reader)]
            + sources.values.sorted { $0.name < $1.name }.map {
                BackupPrincipal(key: $0.key, name: "device \($0.name)", role: .source, repositories: $0.repositories.sorted())
            }
        return BackupTargetSettings(path: target.path, port: target.port, certificate: certificate, principals: principals)
    }

    /// The target's server certificate: the stored one while it is for the device's key and
    /// address and has a month left, else a new one.
    private func certificate(for device: DeviceRecord, reusing stored: String?) throws -> String {
        let publicKey = try P256.Signing.PublicKey(derRepresentation: device.publicKey)
        let addresses = device.address.map { [$0] } ?? []
        if let stored, let existing = try? Certificate(pemEncoded: stored),
           existing.publicKey == Certificate.PublicKey(publicKey),
           existing.notValidAfter > Date().addingTimeInterval(30 * 86400),
           let names = try? existing.extensions.subjectAlternativeNames,
           Set(names.compactMap(\.ipAddressBytes)) == Set(addresses.compactMap(IPAddressBytes.parse)),
           names.contains(.dnsName(device.name)) {
            return stored
        }
        return try authority.issueBackupTargetCertificate(deviceName: device.name, publicKey: publicKey, addresses: addresses)
            .serializeAsPEM().pemString
    }

    // MARK: Repositories and grants

    /// The app's repository on `target`, made (with a fresh password, sealed) on first use.
    func repository(app: String?, name: String, on target: BackupTargetRecord, now: Date = Date()) async throws -> BackupRepositoryRecord {
        let sealed = try box.seal(Data(Secrets.randomHex(bytes: 32).utf8))
        return try await store.write { db in
            if let existing = try BackupRepositoryRecord.filter(Column("targetDeviceID") == target.deviceID && Column("name") == name).fetchOne(db) {
                return existing
            }
            let record = BackupRepositoryRecord(id: UUID().uuidString.lowercased(), name: name, app: app, targetDeviceID: target.deviceID,
                                                sealedPassword: sealed, createdAt: now)
            try record.insert(db)
            return record
        }
    }

    /// The repository's password.
    func password(of repository: BackupRepositoryRecord) throws -> String {
        String(decoding: try box.open(repository.sealedPassword), as: UTF8.self)
    }

    /// Lets `deviceID` append to `repository` on a REST target, telling the target when it is new.
    func grant(_ repository: BackupRepositoryRecord, to deviceID: String, on target: BackupTargetRecord) async throws {
        guard target.kind == .rest, target.deviceID != deviceID else { return }
        let added = try await store.write { db -> Bool in
            guard try BackupGrantRecord.fetchOne(db, key: ["repositoryID": repository.id, "deviceID": deviceID]) == nil else { return false }
            try BackupGrantRecord(repositoryID: repository.id, deviceID: deviceID).insert(db)
            return true
        }
        if added { try await push(target.deviceID) }
    }

    /// How `deviceID` opens `repository` (nil: the controller itself): its own folder when the
    /// device is the target, else the target's REST URL at the address it last connected from.
    func access(_ repository: BackupRepositoryRecord, on target: BackupTargetRecord, from deviceID: String?) async throws -> RepositoryAccess {
        let password = try password(of: repository)
        let folder = target.path + "/" + repository.name
        if target.deviceID == deviceID {
            return RepositoryAccess(location: folder, password: password, target: target.deviceName, name: repository.name)
        }
        guard target.kind == .rest else {
            throw HomelabError(.backupTargetLocal, "\(target.deviceName)'s backup folder is local to it: only \(target.deviceName) backs up there")
        }
        let device = try await registry.get(target.deviceID)
        guard let address = device.address else {
            throw HomelabError(.deviceOffline, "backup target \(device.name) has never connected: its address is unknown")
        }
        let host = address.contains(":") ? "[\(address)]" : address
        return RepositoryAccess(location: "rest:https://\(host):\(target.port)/\(repository.name)/", password: password,
                                target: device.name, name: repository.name)
    }

    /// The room left in a target's folder, as its agent measures it now; nil when the device is not online or does not
    /// answer within 5 seconds (a listing does not wait on a slow device).
    private func measured(_ record: BackupTargetRecord) async -> BackupTargetStatus? {
        guard (try? await registry.get(record.deviceID))?.status == .online,
              let space = try? await registry.ask(record.deviceID, StorageRequest(path: record.path), timeout: .seconds(5)) else { return nil }
        return BackupTargetStatus(serving: record.kind == .rest, path: record.path, port: record.kind == .rest ? record.port : nil,
                                  freeBytes: space.freeBytes, totalBytes: space.totalBytes)
    }

    private func resource(_ record: BackupTargetRecord, status: BackupTargetStatus?) async throws -> BackupTargetResource {
        let count = try await store.read { db in try BackupRepositoryRecord.filter(Column("targetDeviceID") == record.deviceID).fetchCount(db) }
        let online = (try? await registry.get(record.deviceID))?.status == .online
        return BackupTargetResource(device: record.deviceName, kind: record.kind.rawValue, path: record.path,
                                    port: record.kind == .rest ? record.port : nil, online: online, status: status, repositories: count)
    }
}

extension GeneralName {
    /// An IP address name's bytes; nil for other names.
    var ipAddressBytes: [UInt8]? {
        guard case .ipAddress(let octets) = self else { return nil }
        return Array(octets.bytes)
    }
}
