import Foundation

/// The real `homelab-agent` executable, built beside the test bundle, run as a child process.
final class AgentProcess: @unchecked Sendable {
    let process = Process()
    let log: URL

    static var executable: URL {
        let bundle = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return bundle.deletingLastPathComponent().appendingPathComponent("homelab-agent")
    }

    init(arguments: [String], log: URL) throws {
        self.log = log
        process.executableURL = Self.executable
        // Tests outside the lab never multicast: this machine's interfaces lead to networks that are not ours.
        process.arguments = arguments + ["--discovery", "false"]
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
    }

    /// Kills the agent with SIGKILL: no goodbye, as when a device loses power.
    func kill() {
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Stops the agent with SIGTERM and waits.
    func terminate() {
        process.terminate()
        process.waitUntilExit()
    }

    var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }
}
