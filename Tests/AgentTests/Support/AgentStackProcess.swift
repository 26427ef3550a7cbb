import Foundation

/// A `homelab-agent stack …` process whose output lines the test watches, to kill it at a chosen step.
final class AgentStackProcess: @unchecked Sendable {
    private let process = Process()
    private let lock = NSLock()
    private var output = ""

    static var binary: URL {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("homelab-agent")
    }

    static func start(_ arguments: [String]) throws -> AgentStackProcess {
        let agent = AgentStackProcess()
        agent.process.executableURL = binary
        agent.process.arguments = arguments
        let pipe = Pipe()
        agent.process.standardOutput = pipe
        agent.process.standardError = pipe
        pipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            agent.lock.withLock { agent.output += String(decoding: data, as: UTF8.self) }
        }
        try agent.process.run()
        return agent
    }

    var text: String { lock.withLock { output } }

    /// Waits up to `seconds` for a line starting with `prefix`.
    func waitForLine(prefix: String, seconds: Double = 120) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if text.split(separator: "\n").contains(where: { $0.hasPrefix(prefix) }) { return true }
            if !process.isRunning && !text.split(separator: "\n").contains(where: { $0.hasPrefix(prefix) }) { return false }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return false
    }

    /// SIGKILL, as a power cut or the OOM killer would.
    func kill() {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// Waits for the process to end; its exit status.
    func waitForExit() -> Int32 {
        process.waitUntilExit()
        return process.terminationStatus
    }
}
