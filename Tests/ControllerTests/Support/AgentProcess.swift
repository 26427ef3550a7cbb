import Foundation
import TestSupport

/// The real `homelab-agent` executable, built beside the test bundle, run as a child process.
final class AgentProcess: @unchecked Sendable {
    let child: ChildProcess
    let log: URL

    init(arguments: [String], log: URL) throws {
        self.log = log
        // Tests outside the lab never multicast (this machine's interfaces lead to networks that are not ours) and take
        // the peer port the kernel picks (7446 may be another test's).
        child = try ChildProcess(ChildProcess.binaries.appendingPathComponent("homelab-agent").path, arguments + ["--discovery", "false", "--peer-port", "0"],
                                 output: .file(log.path), mergeErrors: true)
    }

    /// Kills the agent with SIGKILL: no goodbye, as when a device loses power.
    func kill() {
        child.kill()
        child.wait()
    }

    /// Stops the agent with SIGTERM and waits.
    func terminate() {
        child.terminate()
        child.wait()
    }

    var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }
}
