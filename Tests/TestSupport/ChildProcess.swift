import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A child process for the tests: `posix_spawn` with only standard input, output and error inherited,
/// and its end seen through `waitpid`.
///
/// Foundation's `Process` on Linux learns that a child ended when a socket it hands the child closes.
/// Any daemon the child starts (a registry from a fixture script, a dockerd from the lab) inherits that
/// socket and keeps it open, so `waitUntilExit()` never returns: CI hung on exactly that. Here every
/// descriptor above 2 is closed in the child, and the exit is read from the kernel.
public final class ChildProcess: @unchecked Sendable {
    /// Where a standard stream of the child goes.
    public enum Stream: Sendable {
        /// /dev/null.
        case null
        /// This process's own stream.
        case inherit
        /// A file, created or truncated.
        case file(String)
        /// A pipe whose reading end is `ChildProcess.output` or `.errors`.
        case pipe
    }

    public struct SpawnFailed: Error, CustomStringConvertible {
        public var executable: String
        public var code: Int32
        public var description: String { "cannot run \(executable): \(String(cString: strerror(code)))" }
    }

    public let pid: pid_t
    /// The reading end of standard output when it is `.pipe` (standard error too when both are).
    public let output: FileHandle?
    /// The reading end of standard error when it is `.pipe` and standard output is not the same pipe.
    public let errors: FileHandle?

    private let lock = NSLock()
    private var status: Int32?

    /// Starts `executable` (a path; `/usr/bin/env` finds tools on PATH) with `arguments` and standard input
    /// from /dev/null. `environment` nil: this process's own. `mergeErrors`: standard error goes where
    /// standard output goes.
    public init(
        _ executable: String, _ arguments: [String] = [], environment: [String: String]? = nil, directory: String? = nil,
        output: Stream = .null, errors: Stream = .null, mergeErrors: Bool = false
    ) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var parentEnds: [Int32] = []  // reading ends the caller keeps
        var childEnds: [Int32] = []  // writing ends closed here once the child has them
        defer { childEnds.forEach { close($0) } }

        func route(_ stream: Stream, to target: Int32) throws -> FileHandle? {
            switch stream {
            case .null:
                posix_spawn_file_actions_addopen(&actions, target, "/dev/null", O_WRONLY, 0)
            case .inherit:
                break
            case .file(let path):
                posix_spawn_file_actions_addopen(&actions, target, path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            case .pipe:
                var ends: [Int32] = [0, 0]
                guard pipe(&ends) == 0 else { throw SpawnFailed(executable: executable, code: errno) }
                ends.forEach { _ = fcntl($0, F_SETFD, FD_CLOEXEC) }
                let (ours, theirs) = (ends[0], ends[1])
                parentEnds.append(ours)
                childEnds.append(theirs)
                posix_spawn_file_actions_adddup2(&actions, theirs, target)
                return FileHandle(fileDescriptor: ours, closeOnDealloc: true)
            }
            return nil
        }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        self.output = try route(output, to: 1)
        if mergeErrors {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
            self.errors = nil
        } else {
            self.errors = try route(errors, to: 2)
        }
        Self.closeFrom(3, &actions)
        if let directory { Self.changeDirectory(directory, &actions) }

        // Default signal handling and an empty mask in the child, whatever this test process ignores or blocks.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let envp: [UnsafeMutablePointer<CChar>?]? = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer { envp?.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = envp.map { envp in posix_spawn(&pid, executable, &actions, &attributes, argv, envp) }
            ?? posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        guard spawned == 0 else {
            parentEnds.forEach { close($0) }
            throw SpawnFailed(executable: executable, code: spawned)
        }
        self.pid = pid
    }

    /// Sends `signal` unless the child has already been waited for.
    public func signal(_ signal: Int32) {
        lock.withLock { if status == nil { _ = Glibc.kill(pid, signal) } }
    }

    /// SIGTERM.
    public func terminate() { signal(SIGTERM) }

    /// SIGKILL, as a power cut or the OOM killer would.
    public func kill() { signal(SIGKILL) }

    /// Blocks until the child ends; its exit status, or 128 + the signal that ended it.
    @discardableResult
    public func wait() -> Int32 {
        if let known = lock.withLock({ status }) { return known }
        var raw: Int32 = 0
        var result: pid_t
        repeat { result = waitpid(pid, &raw, 0) } while result < 0 && errno == EINTR
        return record(result == pid ? raw : nil)
    }

    /// Waits without holding a thread of the concurrency pool.
    @discardableResult
    public func exited() async -> Int32 {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: self.wait()) }
        }
    }

    /// Whether the child still runs (reaps it when it has ended).
    public var isRunning: Bool {
        if lock.withLock({ status }) != nil { return false }
        var raw: Int32 = 0
        let result = waitpid(pid, &raw, WNOHANG)
        if result == 0 { return true }
        record(result == pid ? raw : nil)
        return false
    }

    /// Stores the decoded status; when another thread reaped the child first (nil), returns what that thread stores.
    @discardableResult
    private func record(_ raw: Int32?) -> Int32 {
        if raw == nil {
            for _ in 0..<1000 {
                if let known = lock.withLock({ status }) { return known }
                usleep(1000)
            }
        }
        return lock.withLock {
            if let status { return status }
            let decoded = raw.map { $0 & 0x7f == 0 ? ($0 >> 8) & 0xff : 128 + ($0 & 0x7f) } ?? -1
            status = decoded
            return decoded
        }
    }

    // MARK: glibc extensions the Glibc module does not export

    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32
    private typealias ChangeDirectory = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, UnsafePointer<CChar>?) -> Int32

    private static func symbol<T>(_ name: String, as type: T.Type) -> T? {
        dlsym(UnsafeMutableRawPointer(bitPattern: 0), name).map { unsafeBitCast($0, to: type) }
    }

    /// Closes every descriptor from `lowest` in the child (glibc ≥ 2.34); else each one open now.
    private static func closeFrom(_ lowest: Int32, _ actions: inout posix_spawn_file_actions_t) {
        if let closeFrom = symbol("posix_spawn_file_actions_addclosefrom_np", as: CloseFrom.self) {
            _ = closeFrom(&actions, lowest)
            return
        }
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for fd in open.compactMap(Int32.init) where fd >= lowest { posix_spawn_file_actions_addclose(&actions, fd) }
    }

    private static func changeDirectory(_ directory: String, _ actions: inout posix_spawn_file_actions_t) {
        guard let change = symbol("posix_spawn_file_actions_addchdir_np", as: ChangeDirectory.self) else { return }
        _ = change(&actions, directory)
    }
}

extension ChildProcess {
    /// What a finished command printed.
    public struct Result: Sendable {
        public var status: Int32
        public var output: String
        public var errors: String
    }

    /// Runs a command to its end with standard output and error captured (each read on its own thread,
    /// so neither pipe can fill and stall the command).
    public static func run(
        _ executable: String, _ arguments: [String] = [], environment: [String: String]? = nil, directory: String? = nil
    ) throws -> Result {
        let child = try ChildProcess(executable, arguments, environment: environment, directory: directory, output: .pipe, errors: .pipe)
        let errors = Collected()
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            errors.set(child.errors?.readDataToEndOfFile() ?? Data())
            done.signal()
        }
        let output = child.output?.readDataToEndOfFile() ?? Data()
        done.wait()
        let status = child.wait()
        return Result(status: status, output: String(decoding: output, as: UTF8.self), errors: String(decoding: errors.get(), as: UTF8.self))
    }

    /// `run` on a thread of its own: a test that waits for a command which talks to a server running in
    /// the test process must not hold one of the few threads of the concurrency pool while it waits
    /// (two such tests at once on 2 cores starve the server and time out).
    public static func run(
        _ executable: String, _ arguments: [String] = [], environment: [String: String]? = nil, directory: String? = nil
    ) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Swift.Result<ChildProcess.Result, any Error> {
                    try run(executable, arguments, environment: environment, directory: directory) as ChildProcess.Result
                })
            }
        }
    }

    /// The directory of the running test bundle, where SwiftPM puts the package's executables.
    public static let binaries = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
}

private final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func set(_ value: Data) { lock.withLock { data = value } }
    func get() -> Data { lock.withLock { data } }
}
