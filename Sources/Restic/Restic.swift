import FoundationEssentials
import NIOCore
import NIOPosix
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Runs the restic binary: one command at a time per call, its standard streams read without
/// blocking a thread, its password in its environment. There is no wall-clock limit: a run that
/// shows no headway (no I/O and no change in its JSON progress) for ``inactivityLimit`` is stopped.
public struct Restic: Sendable {
    /// The restic executable (an absolute path).
    public var executable: String
    /// restic's cache (`--cache-dir`); none means `--no-cache`.
    public var cacheDirectory: String?
    /// How long restic may show no headway before it is stopped.
    public var inactivityLimit: Duration
    /// The hostname backups are recorded under (`--host`).
    public var host: String

    /// Creates a runner.
    public init(executable: String, cacheDirectory: String?, host: String, inactivityLimit: Duration = .seconds(600)) {
        self.executable = executable
        self.cacheDirectory = cacheDirectory
        self.host = host
        self.inactivityLimit = inactivityLimit
    }

    /// The executable to use: `explicit` when given, else the first `restic` on `searchPath` (a
    /// `PATH`-style list) or in the usual places.
    public static func locate(explicit: String?, searchPath: String?) -> String? {
        if let explicit { return access(explicit, X_OK) == 0 ? explicit : nil }
        let folders = (searchPath ?? "").split(separator: ":").map(String.init) + ["/usr/local/bin", "/usr/bin", "/bin"]
        return folders.map { $0 + "/restic" }.first { access($0, X_OK) == 0 }
    }

    /// What `restic version` says its version is (`0.14.0`).
    public func version() async throws(ResticError) -> String {
        let lines = ResticLines()
        try await run(["version"], repository: nil, what: "restic version", line: lines.append)
        let words = (lines.all.first ?? "").split(separator: " ")
        guard words.count > 1, words[0] == "restic" else { throw ResticError(.missing, "\(executable) does not say it is restic") }
        return String(words[1])
    }

    /// Writes into the child's standard input.
    public typealias InputWriter = NIOAsyncChannelOutboundWriter<ByteBuffer>

    /// Runs one command. `line` gets each line of standard output in order; standard error is kept
    /// for the error message. `input`, when given, writes standard input and returns to close it; when
    /// it throws, restic is killed before its input ends, so it never commits what it read.
    public func run(_ arguments: [String], repository: ResticRepository?, directory: String? = nil, what: String,
                    input: (@Sendable (InputWriter) async throws -> Void)? = nil,
                    line: @escaping @Sendable (String) async -> Void = { _ in }) async throws(ResticError) {
        let child = try ChildSpawn.start(executable, globalArguments(repository) + arguments, environment: environment(repository),
                                         directory: directory, withInput: input != nil)
        let run = RunState(what: what)
        do {
            try await withTaskCancellationHandler {
                try await supervise(child, run: run, input: input, line: line)
            } onCancel: {
                run.stop(child, because: nil, signal: SIGINT)
            }
        } catch let error as ResticError {
            await finish(child, run: run)
            throw error
        } catch is CancellationError {
            await finish(child, run: run)
            throw ResticError(.failed, "\(what) was cancelled")
        } catch {
            await finish(child, run: run)
            throw run.reason ?? ResticError(.failed, "\(what): \(error)")
        }
        let status = await finish(child, run: run)
        if let reason = run.reason { throw reason }
        if Task.isCancelled { throw ResticError(.failed, "\(what) was cancelled") }
        guard status == 0 else { throw ResticError.classify(status: status, errors: run.errors, what: what) }
    }

    private func globalArguments(_ repository: ResticRepository?) -> [String] {
        (repository?.arguments ?? []) + (cacheDirectory.map { ["--cache-dir", $0] } ?? ["--no-cache"])
    }

    private func environment(_ repository: ResticRepository?) -> [String: String] {
        var environment = ["PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": cacheDirectory ?? "/", "LC_ALL": "C",
                           // One JSON status a second: enough to judge headway, little to parse.
                           "RESTIC_PROGRESS_FPS": "1"]
        if let tmp = getenv("TMPDIR") { environment["TMPDIR"] = String(cString: tmp) }
        if let repository { environment["RESTIC_PASSWORD"] = repository.password }
        return environment
    }

    /// Reads both output pipes, feeds the input and watches for headway until the child's pipes end.
    private func supervise(_ child: ChildSpawn, run: RunState, input: (@Sendable (InputWriter) async throws -> Void)?,
                           line: @escaping @Sendable (String) async -> Void) async throws {
        let output = try await Self.pipe(reading: child.output)
        let errors = try await Self.pipe(reading: child.errors)
        var stdin: NIOAsyncChannel<ByteBuffer, ByteBuffer>?
        if let fd = child.input { stdin = try await Self.pipe(writing: fd) }
        let limit = inactivityLimit
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await Self.watch(child, run: run, limit: limit) }
            // Readers answer true; the input, false. Once both readers reached the end the child has
            // closed its pipes: an input still writing (to a child that died) is cancelled.
            try await withThrowingTaskGroup(of: Bool.self) { pipes in
                pipes.addTask {
                    try await Self.lines(of: output, run: run) { text in
                        run.noteOutput(text)
                        await line(text)
                    }
                    return true
                }
                pipes.addTask {
                    try await Self.lines(of: errors, run: run) { text in run.noteError(text, child: child) }
                    return true
                }
                if let input, let stdin = stdin {
                    pipes.addTask {
                        try await stdin.executeThenClose { _, writer in
                            do {
                                try await input(writer)
                            } catch {
                                // Before the pipe closes: restic must never see the end of a failed input.
                                if !Task.isCancelled {
                                    run.stop(child, because: error as? ResticError ?? ResticError(.failed, "the input failed: \(error)"), signal: SIGKILL)
                                }
                                throw error
                            }
                        }
                        return false
                    }
                }
                var readersDone = 0
                while let reader = try await pipes.next() {
                    if reader { readersDone += 1 }
                    if readersDone == 2 { break }
                }
                pipes.cancelAll()
            }
            group.cancelAll()
        }
    }

    /// Waits for the child to end (killing it when it outlives a stop by 10 s) and returns its status.
    @discardableResult
    private func finish(_ child: ChildSpawn, run: RunState) async -> Int32 {
        let started = ContinuousClock.now
        var killed = false
        while true {
            if let status = run.reap(child) { return status }
            if !killed && ContinuousClock.now - started > .seconds(10) {
                child.signal(SIGKILL)
                killed = true
            }
            // Not a cancellable sleep: a cancelled run still waits for its child, without spinning.
            _ = try? await NIOThreadPool.singleton.runIfActive { usleep(20_000) }
        }
    }

    /// Every second: stops the child when for `limit` neither its I/O counters (less what it wrote
    /// to us) nor its JSON progress moved, and it used under a tenth of a CPU: restic waiting on a
    /// dead connection does none of these, restic deriving a key or hashing does one of them.
    private static func watch(_ child: ChildSpawn, run: RunState, limit: Duration) async {
        var last = child.ioCount().map { $0 &- run.ownBytes }
        var lastHeadway = run.headway
        var lastCPU = child.cpuSeconds() ?? 0
        var quietSince = ContinuousClock.now
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(1))
            if Task.isCancelled { return }
            let io = child.ioCount().map { $0 &- run.ownBytes }
            let headway = run.headway
            let cpu = child.cpuSeconds() ?? lastCPU
            if io != last || headway != lastHeadway || cpu - lastCPU > 0.1 {
                quietSince = ContinuousClock.now
            } else if ContinuousClock.now - quietSince > limit {
                run.stop(child, because: ResticError(.stalled, "\(run.what) stopped: restic made no headway for \(limit.components.seconds) s (no I/O, no progress, no CPU)"),
                         signal: SIGKILL)
                return
            }
            (last, lastHeadway, lastCPU) = (io, headway, cpu)
        }
    }

    // MARK: Pipes

    private static func pipe(reading fd: Int32) async throws -> NIOAsyncChannel<ByteBuffer, ByteBuffer> {
        try await NIOPipeBootstrap(group: MultiThreadedEventLoopGroup.singleton).takingOwnershipOfDescriptor(input: fd) { channel in
            channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
        }
    }

    private static func pipe(writing fd: Int32) async throws -> NIOAsyncChannel<ByteBuffer, ByteBuffer> {
        try await NIOPipeBootstrap(group: MultiThreadedEventLoopGroup.singleton).takingOwnershipOfDescriptor(output: fd) { channel in
            channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
        }
    }

    /// The most bytes one output line may hold (a `snapshots --json` listing is one line).
    static let maximumLine = 64 << 20

    private static func lines(of channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>, run: RunState,
                              _ body: (String) async throws -> Void) async throws {
        try await channel.executeThenClose { inbound, _ in
            var pending: [UInt8] = []
            for try await chunk in inbound {
                run.received(chunk.readableBytes)
                pending.append(contentsOf: chunk.readableBytesView)
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    try await body(String(decoding: pending[..<newline], as: UTF8.self))
                    pending.removeSubrange(...newline)
                }
                guard pending.count <= maximumLine else { throw ResticError(.failed, "restic wrote a line longer than \(maximumLine) bytes") }
            }
            if !pending.isEmpty { try await body(String(decoding: pending, as: UTF8.self)) }
        }
    }
}

/// What the readers and the watchdog of one run share.
private final class RunState: Sendable {
    /// The operation and its repository, for messages.
    let what: String

    init(what: String) { self.what = what }

    private struct State {
        var ownBytes: UInt64 = 0
        var headway: [UInt64] = []
        var errors: [String] = []
        var reason: ResticError?
        var status: Int32?
    }
    private let state = Mutex(State())

    /// Bytes restic wrote to our pipes: its own output, not headway.
    var ownBytes: UInt64 { state.withLock { $0.ownBytes } }
    /// The moving parts of its last JSON status.
    var headway: [UInt64] { state.withLock { $0.headway } }
    /// The last lines of standard error.
    var errors: [String] { state.withLock { $0.errors } }
    /// Why the run was stopped, when it was.
    var reason: ResticError? { state.withLock { $0.reason } }

    func received(_ count: Int) { state.withLock { $0.ownBytes &+= UInt64(count) } }

    func noteOutput(_ line: String) {
        guard line.hasPrefix("{\"message_type\":\"status\""),
              let message = try? JSONDecoder().decode(ResticBackupMessage.self, from: Data(line.utf8)) else { return }
        state.withLock { $0.headway = message.headway }
    }

    /// Keeps the last error lines; a target that answered 507 fails the run at once, since restic
    /// 0.14 would retry a full disk for about a minute.
    func noteError(_ line: String, child: ChildSpawn) {
        state.withLock { state in
            state.errors.append(String(line.prefix(2000)))
            if state.errors.count > 40 { state.errors.removeFirst() }
        }
        if line.contains("Insufficient Storage") {
            stop(child, because: ResticError(.targetFull, "\(what) failed: the backup target's disk is full (it answered 507 Insufficient Storage)"), signal: SIGINT)
        }
    }

    /// Records the first reason and signals the child; one that has not ended 10 s later is killed.
    func stop(_ child: ChildSpawn, because reason: ResticError?, signal: Int32) {
        let running = state.withLock { state in
            if state.reason == nil { state.reason = reason }
            return state.status == nil
        }
        guard running else { return }
        child.signal(signal)
        if signal != SIGKILL {
            MultiThreadedEventLoopGroup.singleton.next().scheduleTask(in: .seconds(10)) { [self] in
                self.signalUnlessEnded(child, SIGKILL)
            }
        }
    }

    /// Reaps the child under the lock, so no signal can reach a reused process id afterwards.
    func reap(_ child: ChildSpawn) -> Int32? {
        state.withLock { state in
            if let status = state.status { return status }
            state.status = child.reap()
            return state.status
        }
    }

    private func signalUnlessEnded(_ child: ChildSpawn, _ signal: Int32) {
        state.withLock { state in
            if state.status == nil { child.signal(signal) }
        }
    }
}

/// Collects lines of output across tasks.
public final class ResticLines: Sendable {
    private let lines = Mutex<[String]>([])

    /// Creates an empty collection.
    public init() {}

    /// Adds one line.
    public func append(_ line: String) async { lines.withLock { $0.append(line) } }

    /// Every line so far, in order.
    public var all: [String] { lines.withLock { $0 } }
}
