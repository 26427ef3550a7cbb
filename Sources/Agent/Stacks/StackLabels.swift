import Crypto
import FoundationEssentials
import Protocol

/// The labels Docker Compose puts on what it creates, and ours. With them `docker compose ls` and
/// `docker-compose ps` on the device recognise the project, and the agent rebuilds its view of every
/// stack from the labels alone after a restart.
public enum StackLabels {
    public static let project = "com.docker.compose.project"
    public static let service = "com.docker.compose.service"
    public static let containerNumber = "com.docker.compose.container-number"
    public static let oneoff = "com.docker.compose.oneoff"
    public static let configHash = "com.docker.compose.config-hash"
    public static let workingDir = "com.docker.compose.project.working_dir"
    public static let configFiles = "com.docker.compose.project.config_files"
    public static let version = "com.docker.compose.version"
    public static let network = "com.docker.compose.network"
    public static let volume = "com.docker.compose.volume"
    /// The deployment a stack belongs to.
    public static let deployment = "io.homelab.deployment"
    /// Marks what the agent manages; projects without it are left alone.
    public static let managed = "io.homelab.managed"
    /// A network shared by several stacks (the reverse proxy's), with its name: never removed with a stack.
    public static let sharedNetwork = "io.homelab.shared-network"
    /// The agent version that created the object.
    public static let agentVersion = "io.homelab.agent-version"
    /// The Compose release whose labelling we follow.
    public static let composeVersion = "2.24.0"

    /// The labels of a project-level object (network, volume).
    static func projectObject(_ spec: StackSpec, kind: String, name: String, agentVersion: String, extra: [String: String]?) -> [String: String] {
        var labels = extra ?? [:]
        labels[project] = spec.name
        labels[kind] = name
        labels[version] = composeVersion
        labels[managed] = "true"
        labels[deployment] = spec.deployment ?? spec.name
        labels[Self.agentVersion] = agentVersion
        return labels
    }
}

/// The hash that decides whether a service's container is still as specified: SHA-256 over the
/// canonical JSON (sorted keys) of the final service and its network attachments, as Compose
/// decides by its `config-hash` label.
enum ConfigHash {
    private struct Input: Encodable {
        var service: ServiceSpec
        var networks: [[String]]
    }

    static func of(service: ServiceSpec, networks: [(name: String, aliases: [String])]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let input = Input(service: service, networks: networks.map { [$0.name] + $0.aliases.sorted() })
        let bytes = (try? encoder.encode(input)) ?? Data()
        return SHA256.hash(data: bytes).map { byte in
            let digits = Array("0123456789abcdef")
            return String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
        }.joined()
    }
}
