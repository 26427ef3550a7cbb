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
        try StateFiles.write(try ComposeFile.bytes(of: spec), to: composePath(directory), mode: 0o600)
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
