@testable import Controller
import Foundation
import GRDB
import Protocol

extension ControllerContext {
    /// Stores a deployment as a finished deploy job would leave it: its row (no sealed part), and the job that put it in
    /// `resource.state`. For tests that need a deployment in a state without deploying one.
    func storeDeployment(_ resource: DeploymentResource) async throws {
        let spec = StoredDeployment(recipeVersion: resource.recipeVersion, category: resource.category,
                                    components: resource.components.map(StoredComponent.init), inputs: resource.inputs, url: resource.url,
                                    exposed: resource.exposed)
        let record = DeploymentRecord(id: resource.id, name: resource.name, recipe: resource.recipe, spec: JSONText.encode(spec), sealed: Data(),
                                      createdAt: resource.createdAt, updatedAt: resource.updatedAt)
        try await store.write { db in try record.insert(db) }
        let outcome: JobOutcome = resource.state == .rolledBack ? .rolledBack : resource.state == .failed ? .failed : .succeeded
        _ = try await jobs.store.insert(JobRecord(id: UUID().uuidString.lowercased(), kind: DeployMachine.kind, subject: resource.id,
                                                  machine: Data("{}".utf8), state: resource.state.rawValue, subjectState: resource.state.rawValue,
                                                  outcome: outcome, failure: nil, createdAt: resource.createdAt, updatedAt: resource.updatedAt),
                                        steps: [])
    }
}
