import Foundation
import GRDB
import Protocol

extension DeploymentService {
    /// Pins (or unpins) a deployment to its devices.
    public func pin(_ name: String, _ pinned: Bool, now: Date = Date()) async throws -> PinStatus {
        let record = try await parts.record(name)
        try await parts.store.write { db in
            if pinned {
                try db.execute(sql: "INSERT OR IGNORE INTO deploymentPin (deploymentID, pinnedAt) VALUES (?, ?)", arguments: [record.id, now])
            } else {
                try db.execute(sql: "DELETE FROM deploymentPin WHERE deploymentID = ?", arguments: [record.id])
            }
        }
        return PinStatus(deployment: record.name, pinned: pinned)
    }

    /// Whether a deployment is pinned.
    public func isPinned(_ name: String) async throws -> PinStatus {
        let record = try await parts.record(name)
        let pinned = try await parts.store.read { db in
            try Bool.fetchOne(db, sql: "SELECT 1 FROM deploymentPin WHERE deploymentID = ?", arguments: [record.id]) ?? false
        }
        return PinStatus(deployment: record.name, pinned: pinned)
    }

    /// The names of the pinned deployments.
    func pinnedNames() async throws -> Set<String> {
        Set(try await parts.store.read { db in
            try String.fetchAll(db, sql: "SELECT d.name FROM deploymentPin p JOIN deployment d ON d.id = p.deploymentID")
        })
    }
}
