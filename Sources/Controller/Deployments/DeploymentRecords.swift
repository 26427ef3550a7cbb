import Foundation
import GRDB
import Protocol

/// A deployment row: the public view as JSON, and what must stay secret sealed (``SecretBox``).
struct DeploymentRecord: Codable, FetchableRecord, PersistableRecord, Sendable {
    static let databaseTableName = "deployment"
    var id: String
    var name: String
    var recipe: String
    var state: String
    var resource: String
    var sealed: Data
    var createdAt: Date
    var updatedAt: Date

    var decodedResource: DeploymentResource? { JSONText.decode(DeploymentResource.self, resource) }

    static func find(_ db: Database, name: String) throws -> DeploymentRecord? {
        try DeploymentRecord.filter(Column("name") == name).fetchOne(db)
    }
}

/// One stored step; its row id orders the steps and lets a progress reader resume after one.
struct DeploymentStepRecord: Codable, FetchableRecord, MutablePersistableRecord, Sendable {
    static let databaseTableName = "deploymentStep"
    var id: Int64?
    var deploymentID: String
    var step: String

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// What a deployment keeps sealed: everything needed to resume, upgrade or roll back without the catalog.
struct DeploymentPrivate: Codable, Sendable {
    /// The recipe's YAML as it was deployed, and the file name its problems are reported under.
    var recipeText: String
    var recipeFile: String
    /// Every input's value, password ones included.
    var inputs: [String: String]
    var secrets: [String: String]
    /// The rendered stack of each component.
    var stacks: [String: StackSpec]
    /// The post-deploy notes, rendered.
    var notes: String?
    /// The reverse-proxy route's target, when exposed through Caddy: `ADDRESS:PORT`.
    var proxyUpstream: String?
    var healthTimeout: Int
    /// The version that ran before this one (an upgrade), to go back to when this one fails.
    var previous: Previous?
    /// With `removing`: delete the volumes too.
    var removeData: Bool?

    struct Previous: Codable, Sendable {
        var components: [DeploymentComponent]
        var stacks: [String: StackSpec]
        var recipeVersion: String
        var url: String?
        var proxyUpstream: String?
        /// Every input, and those the API shows.
        var inputs: [String: String]
        var shownInputs: [String: String]
    }
}
