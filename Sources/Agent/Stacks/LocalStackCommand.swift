import FoundationEssentials
import NIOCore
import Protocol

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// `homelab-agent stack apply|ls|rm` and `volume archive|restore`: the reconciler and the volume
/// archiver on this device's Docker, without a controller (for trying a stack by hand, for the
/// benchmarks, and for the tests that kill an agent in the middle of an apply).
public enum LocalStackCommand {
    /// Runs the command; returns the exit code (0 done, 1 failed, 65 bad spec).
    public static func run(_ arguments: [String], config: AgentConfig, removeVolumes: Bool) async -> Int32 {
        let engine = DockerEngine(socketPath: DockerProbe.socketPath(explicit: config.dockerSocket, dockerHost: getenv("DOCKER_HOST").map { String(cString: $0) }))
        let reconciler = StackReconciler(runtime: engine, projectsDirectory: config.stateDirectory + "/stacks", agentVersion: BuildInfo.version)
        if arguments[0] == "volume" { return await volume(Array(arguments.dropFirst()), engine: engine) }
        let arguments = Array(arguments.dropFirst())
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
                    say(2, "stack apply: \(arguments[1]) is not a stack spec: \(WireCoding.describe(error))")
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

    /// `volume archive VOLUME IMAGE` to standard output, `volume restore VOLUME IMAGE` from standard input.
    static func volume(_ arguments: [String], engine: DockerEngine) async -> Int32 {
        guard arguments.count == 3 else {
            say(2, "volume \(arguments.first ?? ""): expected VOLUME IMAGE")
            return 64
        }
        let archiver = VolumeArchiver(runtime: engine)
        do {
            if arguments[0] == "archive" {
                try await archiver.archive(volume: arguments[1], image: arguments[2]) { chunk in try writeAll(1, chunk) }
            } else {
                let input = AsyncThrowingStream<ByteBuffer, any Error> {
                    var buffer = [UInt8](repeating: 0, count: 256 << 10)
                    let count = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
                    guard count >= 0 else { throw AgentError.io("cannot read standard input: \(String(cString: strerror(errno)))") }
                    return count == 0 ? nil : ByteBuffer(bytes: buffer[..<count])
                }
                let restored = try await archiver.restore(volume: arguments[1], image: arguments[2], tar: input)
                say(2, "restored \(restored.entries) entries, \(restored.bytes) bytes of content into \(arguments[1])")
            }
            return 0
        } catch {
            say(2, "volume \(arguments[0]): \(error)")
            return 1
        }
    }

    private static func writeAll(_ fd: Int32, _ buffer: ByteBuffer) throws {
        var offset = 0
        try buffer.withUnsafeReadableBytes { bytes in
            while offset < bytes.count {
                let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { throw AgentError.io("cannot write: \(String(cString: strerror(errno)))") }
                offset += n
            }
        }
    }

    /// One line, unbuffered, so a reader sees each step as it happens.
    static func say(_ fd: Int32, _ line: String) {
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }
}
