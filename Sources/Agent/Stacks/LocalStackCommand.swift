import FoundationEssentials
import Protocol

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// `homelab-agent stack apply|ls|rm`: the reconciler on this device's Docker, without a controller
/// (for trying a stack by hand, and for the tests that kill an agent in the middle of an apply).
public enum LocalStackCommand {
    /// Runs the command; returns the exit code (0 done, 1 failed, 65 bad spec).
    public static func run(_ arguments: [String], config: AgentConfig, removeVolumes: Bool) async -> Int32 {
        let engine = DockerEngine(socketPath: DockerProbe.socketPath(explicit: config.dockerSocket, dockerHost: getenv("DOCKER_HOST").map { String(cString: $0) }))
        let reconciler = StackReconciler(runtime: engine, projectsDirectory: config.stateDirectory + "/stacks", agentVersion: BuildInfo.version)
        do {
            switch arguments[0] {
            case "apply":
                guard arguments.count == 2, let text = SystemFiles.read(arguments[1]) else {
                    say(2, "stack apply: cannot read \(arguments.count == 2 ? arguments[1] : "(no file given)")")
                    return 64
                }
                let spec: StackSpec
                do {
                    spec = try JSONDecoder().decode(StackSpec.self, from: Data(text.utf8))
                } catch {
                    say(2, "stack apply: \(arguments[1]) is not a stack spec: \(error)")
                    return 65
                }
                let result = try await reconciler.apply(StackApply(spec: spec)) { step in
                    var line = "\(step.phase)\t\(step.service ?? step.image ?? "-")\t\(step.message)"
                    if let current = step.current, let total = step.total, total > 0 { line += "\t\(current)/\(total)" }
                    say(1, line)
                }
                for service in result.services { say(1, "\(service.change.rawValue)\t\(service.name)\t\(service.containerID ?? "-")") }
            case "ls":
                for stack in try await reconciler.list() {
                    for container in stack.containers {
                        say(1, "\(stack.project)\t\(container.service)\t\(container.state)\(container.health.map { " (\($0))" } ?? "")\t\(container.name)")
                    }
                }
            default:
                guard arguments.count == 2 else {
                    say(2, "stack rm: expected a project name")
                    return 64
                }
                try await reconciler.perform(StackAction(stack: StackRef(project: arguments[1]), verb: .remove, removeVolumes: removeVolumes))
            }
            return 0
        } catch let error as StackSpecError {
            for problem in error.problems { say(2, "stack: \(problem)") }
            return 65
        } catch {
            say(2, "stack: \(error)")
            return 1
        }
    }

    /// One line, unbuffered, so a reader sees each step as it happens.
    static func say(_ fd: Int32, _ line: String) {
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }
}
