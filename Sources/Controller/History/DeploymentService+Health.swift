import Foundation
import GRDB
import Protocol

extension DeploymentService {
    /// The one-shot services (they exit when done) of each deployment's components, by deployment id and component.
    func oneShotServices(_ apps: [DeploymentResource]) async -> [String: [String: Set<String>]] {
        var out: [String: [String: Set<String>]] = [:]
        for app in apps {
            guard let stacks = try? await parts.load(app.id).secret.stacks else { continue }
            out[app.id] = stacks.mapValues { Set($0.oneShotServices) }
        }
        return out
    }

    /// Every app's last judged health, by deployment name.
    public func health() async throws -> [AppHealth] {
        try await parts.store.read { db in
            try String.fetchAll(db, sql: "SELECT health FROM appHealth").compactMap { JSONText.decode(AppHealth.self, $0) }
        }.sorted { $0.deployment < $1.deployment }
    }
}
