import Foundation
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// The tests' own child processes: Foundation's `Process` missed the end of a fixture script that had
/// started a daemon, and CI hung for 90 minutes; these pin down what replaced it.
@Suite("Child processes of the tests")
struct ChildProcessTests {
    @Test("exit status, output and errors are those of the command")
    func status() throws {
        let result = try ChildProcess.run("/bin/sh", ["-c", "echo out; echo err >&2; exit 3"])
        #expect(result.status == 3)
        #expect(result.output == "out\n")
        #expect(result.errors == "err\n")
    }

    @Test("a child ended by a signal reports 128 + the signal")
    func signalled() throws {
        let child = try ChildProcess("/bin/sleep", ["30"])
        #expect(child.isRunning)
        child.kill()
        #expect(child.wait() == 128 + SIGKILL)
        #expect(!child.isRunning)
    }

    @Test("a script that leaves a daemon running is seen to end at once")
    func daemonLeftBehind() throws {
        let result = try ChildProcess.run("/bin/sh", ["-c", "sleep 30 >/dev/null 2>&1 & echo $!"])
        defer { if let pid = pid_t(result.output.trimmingCharacters(in: .whitespacesAndNewlines)) { kill(pid, SIGKILL) } }
        #expect(result.status == 0)
    }

    @Test("no descriptor of the test process beyond 0-2 reaches the child")
    func descriptorsClosed() throws {
        let marker = FileManager.default.temporaryDirectory.appendingPathComponent("child-marker-\(UUID().uuidString)").path
        #expect(FileManager.default.createFile(atPath: marker, contents: nil))
        defer { try? FileManager.default.removeItem(atPath: marker) }
        // Opened without O_CLOEXEC, as a library might: only closing it in the child keeps it out.
        let fd = open(marker, O_RDONLY)
        try #require(fd >= 0)
        defer { close(fd) }
        let result = try ChildProcess.run("/bin/sh", ["-c", "for f in /proc/$$/fd/*; do readlink \"$f\" || true; done"])
        #expect(result.status == 0)
        #expect(!result.output.isEmpty)
        #expect(!result.output.contains(marker), "\(result.output)")
    }

    @Test("a program that cannot be run is an error naming it")
    func missing() {
        #expect(throws: ChildProcess.SpawnFailed.self) { try ChildProcess("/nonexistent/tool") }
    }
}
