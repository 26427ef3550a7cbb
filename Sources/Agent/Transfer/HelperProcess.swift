import CAgentSystem
import Protocol
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A program the agent runs for a transfer (GNU tar): started with `posix_spawn`, a clean environment,
/// default signal handling and only the pipes it is given; reaped with `waitpid`, killed when abandoned.
final class HelperProcess: Sendable {
    /// The process id.
    let pid: pid_t
    /// The program, for messages.
    let program: String
    private let status = Mutex<Int32?>(nil)

    /// The environment every helper gets: no `TAR_OPTIONS` or locale from the agent's own.
    static let environment = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C"]

    /// What the child's standard streams are connected to: descriptors the caller made (they are
    /// closed here once the child has them), or /dev/null when nil.
    struct Streams {
        var input: Int32?
        var output: Int32?
        var errors: Int32?
    }

    /// Starts `program` (an absolute path) with `arguments`.
    init(_ program: String, _ arguments: [String], streams: Streams) throws(HomelabError) {
        self.program = program
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (target, descriptor) in [(Int32(0), streams.input), (1, streams.output), (2, streams.errors)] {
            if let descriptor {
                posix_spawn_file_actions_adddup2(&actions, descriptor, target)
            } else {
                posix_spawn_file_actions_addopen(&actions, target, "/dev/null", target == 0 ? O_RDONLY : O_WRONLY, 0)
            }
        }
        // Nothing else of the agent's reaches the child (its sockets, another helper's pipes).
        agent_spawn_close_from(&actions, 3)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv = ([program] + arguments).map { strdup($0) } + [nil]
        let envp = Self.environment.map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, program, &actions, &attributes, argv, envp)
        for descriptor in [streams.input, streams.output, streams.errors].compactMap({ $0 }) { close(descriptor) }
        guard result == 0 else {
            throw HomelabError(.runtime, "cannot run \(program): \(String(cString: strerror(result)))")
        }
        self.pid = pid
    }

    /// Kills the process (SIGKILL) unless it was reaped already.
    func kill() {
        status.withLock { if $0 == nil { _ = Glibc.kill(pid, SIGKILL) } }
    }

    /// Waits for the process to end, polling without holding a thread; its exit status, or 128 + the signal.
    /// A cancelled waiter kills the process and still reaps it.
    func exitStatus() async -> Int32 {
        var delay = 1
        while true {
            if let known = reap() { return known }
            if Task.isCancelled { kill() }
            try? await Task.sleep(for: .milliseconds(delay))
            delay = min(delay * 2, 50)
        }
    }

    /// Reaps the process when it has ended (nil while it runs).
    private func reap() -> Int32? {
        status.withLock { status in
            if let status { return status }
            var raw: Int32 = 0
            var result: pid_t
            repeat { result = waitpid(pid, &raw, WNOHANG) } while result < 0 && errno == EINTR
            guard result == pid else { return result < 0 ? 127 : nil }
            status = raw & 0x7f == 0 ? (raw >> 8) & 0xff : 128 + (raw & 0x7f)
            return status
        }
    }

    /// A pipe whose ends are closed on exec (only the end a child gets as a standard stream stays open in it).
    static func pipe() throws(HomelabError) -> (read: Int32, write: Int32) {
        var ends: [Int32] = [0, 0]
        guard agent_pipe_cloexec(&ends) == 0 else {
            throw HomelabError(.runtime, "cannot make a pipe: \(String(cString: strerror(errno)))")
        }
        return (ends[0], ends[1])
    }
}
