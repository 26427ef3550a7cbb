import Foundation
import TestSupport

/// A `homelab-agent stack …` process whose output lines the test watches, to kill it at a chosen step.
final class AgentStackProcess: @unchecked Sendable {
    private let child: ChildProcess
    private let lock = NSLock()
    private var output = ""

    private init(_ arguments: [String]) throws {
        child = try ChildProcess(ChildProcess.binaries.appendingPathComponent("homelab-agent").path, arguments, output: .pipe, mergeErrors: true)
    }

    static func start(_ arguments: [String]) throws -> AgentStackProcess {
        let agent = try AgentStackProcess(arguments)
        Thread.detachNewThread {
            guard let pipe = agent.child.output else { return }
            while case let data = pipe.availableData, !data.isEmpty {
                agent.lock.withLock { agent.output += String(decoding: data, as: UTF8.self) }
            }
        }
        return agent
    }

    var text: String { lock.withLock { output } }

    /// Waits up to `seconds` for a line starting with `prefix`.
    func waitForLine(prefix: String, seconds: Double = 120) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        func seen() -> Bool { text.split(separator: "\n").contains { $0.hasPrefix(prefix) } }
        while Date() < deadline {
            if seen() { return true }
            if !child.isRunning {
                Thread.sleep(forTimeInterval: 0.2)  // the reader's last lines
                return seen()
            }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return false
    }

    /// SIGKILL, as a power cut or the OOM killer would.
    func kill() {
        child.kill()
        child.wait()
    }

    /// Waits for the process to end; its exit status.
    func waitForExit() -> Int32 { child.wait() }
}
