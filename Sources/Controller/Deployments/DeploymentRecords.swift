import Foundation
import GRDB
import Protocol

/// A deployment row: what it is (its spec, as the storage type ``StoredDeployment``) and what must stay
/// secret, sealed (``SecretBox``). Its state and last failure are its jobs' (``JobStore``).
struct DeploymentRecord: Codable, FetchableRecord, PersistableRecord, Sendable {
    static let databaseTableName = "deployment"
    var id: String
    var name: String
    var recipe: String
    /// ``StoredDeployment`` as JSON.
    var spec: String
    var sealed: Data
    var createdAt: Date
    var updatedAt: Date

    /// The spec, or nil when the row was written by a version whose spec this one cannot read.
    var decodedSpec: StoredDeployment? { JSONText.decode(StoredDeployment.self, spec) }

    static func find(_ db: Database, name: String) throws -> DeploymentRecord? {
        try DeploymentRecord.filter(Column("name") == name).fetchOne(db)
    }

    /// The API's view of it, in `state`, with the last operation's failure. A spec that does not decode is
    /// shown as a failed entry that says so, never left out.
    func resource(state: DeploymentState, error: HomelabError?) -> DeploymentResource {
        guard let spec = decodedSpec else {
            return DeploymentResource(id: id, name: name, recipe: recipe, recipeVersion: "?", category: "other", state: .failed, components: [],
                                      inputs: [:], url: nil, exposed: false,
                                      error: HomelabError(.unreadableRecord, "the stored deployment \(name) cannot be read (written by another version?)",
                                                          context: ["deployment": name]),
                                      createdAt: createdAt, updatedAt: updatedAt)
        }
        return DeploymentResource(id: id, name: name, recipe: recipe, recipeVersion: spec.recipeVersion, category: spec.category, state: state,
                                  components: spec.components.map(\.resource), inputs: spec.inputs, url: spec.url, exposed: spec.exposed,
                                  error: error, createdAt: createdAt, updatedAt: updatedAt)
    }
}

/// What a deployment is, as stored: the storage type, apart from the API's ``DeploymentResource``.
struct StoredDeployment: Codable, Equatable, Sendable {
    var recipeVersion: String
    var category: String
    /// In start order (providers first).
    var components: [StoredComponent]
    /// The inputs the API shows (password inputs left out).
    var inputs: [String: String]
    var url: String?
    var exposed: Bool

    /// The components as the deploy machines know them.
    var machineComponents: [DeployMachine.Component] { components.map { .init(name: $0.name, device: $0.device, project: $0.project) } }
}

/// One component as stored.
struct StoredComponent: Codable, Equatable, Sendable {
    var name: String
    var device: String
    var address: String?
    var project: String
    var port: Int?
    var reason: String
    var memoryBytes: Int64
    var storageBytes: Int64
    var published: [String]

    init(_ component: DeploymentComponent) {
        name = component.name
        device = component.device
        address = component.address
        project = component.project
        port = component.port
        reason = component.reason
        memoryBytes = component.memoryBytes
        storageBytes = component.storageBytes
        published = component.published
    }

    var resource: DeploymentComponent {
        DeploymentComponent(name: name, device: device, address: address, project: project, port: port, reason: reason,
                            memoryBytes: memoryBytes, storageBytes: storageBytes, published: published)
    }
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

    struct Previous: Codable, Sendable {
        var spec: StoredDeployment
        var stacks: [String: StackSpec]
        var proxyUpstream: String?
        /// Every input.
        var inputs: [String: String]

        init(spec: StoredDeployment, stacks: [String: StackSpec], proxyUpstream: String?, inputs: [String: String]) {
            self.spec = spec
            self.stacks = stacks
            self.proxyUpstream = proxyUpstream
            self.inputs = inputs
        }

        private enum CodingKeys: String, CodingKey { case spec, stacks, proxyUpstream, inputs, components, recipeVersion, url, shownInputs }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            stacks = try container.decode([String: StackSpec].self, forKey: .stacks)
            proxyUpstream = try container.decodeIfPresent(String.self, forKey: .proxyUpstream)
            inputs = try container.decode([String: String].self, forKey: .inputs)
            if let spec = try container.decodeIfPresent(StoredDeployment.self, forKey: .spec) {
                self.spec = spec
            } else {
                // Sealed before v4 (an upgrade under way while the controller was updated): the same facts, spread out.
                let components = try container.decode([DeploymentComponent].self, forKey: .components)
                spec = StoredDeployment(recipeVersion: try container.decode(String.self, forKey: .recipeVersion), category: "other",
                                        components: components.map(StoredComponent.init), inputs: try container.decode([String: String].self, forKey: .shownInputs),
                                        url: try container.decodeIfPresent(String.self, forKey: .url), exposed: proxyUpstream != nil)
            }
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(spec, forKey: .spec)
            try container.encode(stacks, forKey: .stacks)
            try container.encodeIfPresent(proxyUpstream, forKey: .proxyUpstream)
            try container.encode(inputs, forKey: .inputs)
        }
    }
}
