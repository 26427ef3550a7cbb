#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

// glibc extensions the Glibc module does not export; linked directly, so they also resolve in the
// fully static agent, where dlsym cannot find them.
@_silgen_name("posix_spawn_file_actions_addclosefrom_np")
private func spawnCloseFrom(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ lowest: Int32) -> Int32
@_silgen_name("posix_spawn_file_actions_addchdir_np")
private func spawnChangeDirectory(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ path: UnsafePointer<CChar>) -> Int32

/// A child process started with `posix_spawn`: its standard streams are pipes whose other ends the
/// caller takes, every other descriptor is closed in the child, and its end is read with `waitpid`.
struct ChildSpawn: Sendable {
    /// The child's process id.
    let pid: pid_t
    /// Our writing end of its standard input, or nil when it reads /dev/null.
    let input: Int32?
    /// Our reading ends of its standard output and standard error.
    let output: Int32, errors: Int32

    /// Starts `executable` (an absolute path) in `directory` with exactly `environment`.
    static func start(_ executable: String, _ arguments: [String], environment: [String: String], directory: String?,
                      withInput: Bool) throws(ResticError) -> ChildSpawn {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var ours: [Int32] = [], theirs: [Int32] = []
        defer { theirs.forEach { close($0) } }
        func pipePair() throws(ResticError) -> (read: Int32, write: Int32) {
            var ends: [Int32] = [0, 0]
            guard pipe(&ends) == 0 else {
                ours.forEach { close($0) }
                throw ResticError(.failed, "cannot make a pipe for restic: \(String(cString: strerror(errno)))")
            }
            ends.forEach { _ = fcntl($0, F_SETFD, FD_CLOEXEC) }
            return (ends[0], ends[1])
        }
        var input: Int32?
        if withInput {
            let pair = try pipePair()
            input = pair.write
            ours.append(pair.write)
            theirs.append(pair.read)
            posix_spawn_file_actions_adddup2(&actions, pair.read, 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        let out = try pipePair(), err = try pipePair()
        ours += [out.read, err.read]
        theirs += [out.write, err.write]
        posix_spawn_file_actions_adddup2(&actions, out.write, 1)
        posix_spawn_file_actions_adddup2(&actions, err.write, 2)
        _ = spawnCloseFrom(&actions, 3)
        if let directory { _ = directory.withCString { spawnChangeDirectory(&actions, $0) } }

        // Default signal handling and an empty mask in the child, whatever the agent ignores or blocks.
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
        let envp = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { envp.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard spawned == 0 else {
            ours.forEach { close($0) }
            throw ResticError(.missing, "cannot run \(executable): \(String(cString: strerror(spawned)))")
        }
        return ChildSpawn(pid: pid, input: input, output: out.read, errors: err.read)
    }

    /// Sends `signal` to the child.
    func signal(_ signal: Int32) {
        _ = kill(pid, signal)
    }

    /// Reaps the child once it has ended: its exit status, or 128 + the signal that ended it; nil while it runs.
    func reap() -> Int32? {
        var raw: Int32 = 0
        var result: pid_t
        repeat { result = waitpid(pid, &raw, WNOHANG) } while result < 0 && errno == EINTR
        guard result == pid else { return result < 0 ? -1 : nil }
        return raw & 0x7f == 0 ? (raw >> 8) & 0xff : 128 + (raw & 0x7f)
    }

    /// Waits for the child's end without blocking a thread: it closes its pipes before it exits, so
    /// this is called once they reached their end and polls only for the last moments.
    func exitStatus() async -> Int32 {
        var delay = 1
        while true {
            if let status = reap() { return status }
            try? await Task.sleep(for: .milliseconds(delay))
            delay = min(delay * 2, 50)
        }
    }

    /// The CPU time the process has used so far, in seconds (`/proc/PID/stat` utime + stime).
    func cpuSeconds() -> Double? {
        let fd = open("/proc/\(pid)/stat", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 1024)
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard count > 0, let close = buffer[0..<count].lastIndex(of: UInt8(ascii: ")")) else { return nil }
        // Fields after the command name start with the 3rd; utime and stime are the 14th and 15th.
        let fields = String(decoding: buffer[(close + 1)..<count], as: UTF8.self).split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// The bytes the process has read and written through system calls so far (`/proc/PID/io`
    /// `rchar` + `wchar`): network and disk alike, so it moves whenever the process does any I/O.
    func ioCount() -> UInt64? {
        let fd = open("/proc/\(pid)/io", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 512)
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        var total: UInt64 = 0
        for line in String(decoding: buffer[0..<count], as: UTF8.self).split(separator: "\n")
        where line.hasPrefix("rchar:") || line.hasPrefix("wchar:") {
            total &+= UInt64(line.split(separator: " ").last ?? "") ?? 0
        }
        return total
    }
}
