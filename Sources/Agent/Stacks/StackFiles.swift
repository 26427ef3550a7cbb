import FoundationEssentials
import Protocol

/// A project's working directory: the compose file (the spec's JSON, which is YAML to Compose) and
/// the files it refers to, so `docker compose` on the device sees what the agent applied.
enum StackFiles {
    static func composePath(_ directory: String) -> String { directory + "/docker-compose.json" }

    /// Writes the project's files; returns its directory.
    static func write(_ spec: StackSpec, into projectsDirectory: String) throws -> String {
        let directory = "\(projectsDirectory)/\(spec.name)"
        try StateFiles.makeDirectory(directory, mode: 0o700)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try StateFiles.write(Array(try encoder.encode(ComposeFile(spec))) + [UInt8(ascii: "\n")], to: composePath(directory), mode: 0o600)
        for (path, contents) in spec.files ?? [:] {
            let target = "\(directory)/\(path)"
            if let slash = target.lastIndex(of: "/") { try StateFiles.makeDirectory(String(target[..<slash]), mode: 0o700) }
            try StateFiles.write(contents, to: target, mode: 0o600)
        }
        return directory
    }

    /// Removes the project's directory and what is in it.
    static func remove(project: String, from projectsDirectory: String) {
        let directory = "\(projectsDirectory)/\(project)"
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// The spec as a compose file that Compose v1 and v2 both accept: v1 refuses a top-level `name`,
/// so the project name moves to `x-homelab-project` (Compose takes it from `-p` and the labels).
private struct ComposeFile: Encodable {
    var spec: StackSpec
    init(_ spec: StackSpec) { self.spec = spec }

    enum CodingKeys: String, CodingKey {
        case services, networks, volumes
        case project = "x-homelab-project"
        case files = "x-homelab-files"
        case deployment = "x-homelab-deployment"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(spec.services, forKey: .services)
        try container.encodeIfPresent(spec.networks, forKey: .networks)
        try container.encodeIfPresent(spec.volumes, forKey: .volumes)
        try container.encode(spec.name, forKey: .project)
        try container.encodeIfPresent(spec.files, forKey: .files)
        try container.encodeIfPresent(spec.deployment, forKey: .deployment)
    }
}
