import Foundation

/// The docker CLI, for checking what the engine holds.
public enum DockerCLI {
    public static func lines(_ arguments: [String]) -> [String] {
        ((try? ChildProcess.run("/usr/bin/docker", arguments))?.output ?? "").split(separator: "\n").map(String.init)
    }
    public static func containers(project: String) -> [String] { lines(["ps", "-aq", "--filter", "label=com.docker.compose.project=\(project)"]) }
    public static func volumes(project: String) -> [String] { lines(["volume", "ls", "-q", "--filter", "label=com.docker.compose.project=\(project)"]) }
    public static func networks(project: String) -> [String] { lines(["network", "ls", "-q", "--filter", "label=com.docker.compose.project=\(project)"]) }
    public static func networkNames() -> [String] { lines(["network", "ls", "--format", "{{.Name}}"]) }
    public static func state(of container: String) -> String? { lines(["inspect", container, "--format", "{{.State.Status}}"]).first }
    public static func remove(container: String) { _ = lines(["rm", "-f", container]) }
    public static func removeProject(_ project: String) {
        let label = "label=com.docker.compose.project=\(project)"
        _ = try? ChildProcess.run("/bin/sh", ["-c", "docker ps -aq --filter '\(label)' | xargs -r docker rm -f >/dev/null; "
                                              + "docker network ls -q --filter '\(label)' | xargs -r docker network rm >/dev/null; "
                                              + "docker volume ls -q --filter '\(label)' | xargs -r docker volume rm >/dev/null"])
    }
    /// The body at `url`, trimmed (curl; the app may take a moment to accept connections after its health check).
    public static func fetch(_ url: String) async throws -> String {
        try await ChildProcess.run("/usr/bin/curl", ["-s", "--max-time", "5", "--retry", "5", "--retry-connrefused", "--retry-delay", "1", url])
            .output.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
