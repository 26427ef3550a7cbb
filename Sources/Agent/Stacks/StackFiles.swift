import FoundationEssentials
import Protocol

/// A project's working directory: the compose file (the spec's JSON, which is YAML to Compose) and
/// the files it refers to, so `docker compose` on the device sees what the agent applied.
enum StackFiles {
    static func composePath(_ directory: String) -> String { directory + "/docker-compose.json" }

    /// Writes the project's files, none outside its directory (see ``ConfinedDirectory``); returns the directory.
    static func write(_ spec: StackSpec, into projectsDirectory: String) throws -> String {
        let directory = "\(projectsDirectory)/\(try SafeName.check(spec.name, .project))"
        try StateFiles.makeDirectory(directory, mode: 0o700)
        let confined = ConfinedDirectory(root: directory)
        try confined.write(try ComposeFile.bytes(of: spec), to: "docker-compose.json", mode: 0o600)
        for (path, contents) in (spec.files ?? [:]).sorted(by: { $0.key < $1.key }) {
            try confined.write(Array(contents.utf8), to: path, mode: 0o600)
        }
        return directory
    }

    /// Removes the project's directory and what is in it; a name that is not a project's removes nothing.
    static func remove(project: String, from projectsDirectory: String) {
        guard SafeName.isValid(project, .project) else { return }
        try? FileManager.default.removeItem(atPath: "\(projectsDirectory)/\(project)")
    }
}
