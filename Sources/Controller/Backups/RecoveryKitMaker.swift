import Foundation
import GRDB
import Protocol

extension BackupTargets {
    /// The recovery kit: the CA, the recovery identity and every repository's location and
    /// password, so plain `restic` restores without the controller.
    public func recoveryKit(now: Date = Date()) async throws -> RecoveryKit {
        let rows = try await store.read { db in
            try BackupRepositoryRecord.order(Column("name")).fetchAll(db).map { ($0, try BackupTargetRecord.fetchOne(db, key: $0.targetDeviceID)) }
        }
        var repositories: [RecoveryKitRepository] = []
        for (repository, target) in rows {
            guard let target else { continue }
            let host = target.address.map { $0.contains(":") ? "[\($0)]" : $0 }
            let url = target.kind == .rest ? host.map { "rest:https://\($0):\(target.port)/\(repository.name)/" } : nil
            repositories.append(RecoveryKitRepository(name: repository.name, app: repository.app, target: target.deviceName, url: url,
                                                      path: target.path + "/" + repository.name, password: try password(of: repository)))
        }
        return RecoveryKit(createdAt: now, caCertificate: try authority.certificatePEM, clientCertificate: recovery.combinedPEM,
                           repositories: repositories)
    }
}
