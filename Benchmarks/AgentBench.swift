import Foundation

/// Runs the release controller and agent as processes and reads the agent's RSS and CPU time from /proc.
enum AgentBench {
    struct Result {
        let rssMegabytes: Double
        let cpuPercentOfOneCore: Double
        let seconds: Double
    }

    static func run(binaries: URL, seconds: Double, sampleInterval: String) throws -> Result {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("homelab-agent-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let state = dir.appendingPathComponent("controller").path
        let token = try output(binaries.appendingPathComponent("homelab-controller"), ["join-token", "--state-dir", state])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let port = 17000 + Int.random(in: 0..<2000)
        let controller = try spawn(binaries.appendingPathComponent("homelab-controller"),
                                   ["--state-dir", state, "--listen", "127.0.0.1", "--api-port", "\(port)", "--agent-port", "\(port + 1)",
                                    "--no-discovery"])
        defer { controller.terminate(); controller.waitUntilExit() }
        Thread.sleep(forTimeInterval: 1)
        let agent = try spawn(binaries.appendingPathComponent("homelab-agent"),
                              ["--controller", "127.0.0.1:\(port + 1)", "--join-token", token, "--state-dir", dir.appendingPathComponent("agent").path,
                               "--sample-interval", sampleInterval, "--discovery", "false"])
        defer { agent.terminate(); agent.waitUntilExit() }
        // Let enrollment and the first samples settle before measuring the steady state.
        Thread.sleep(forTimeInterval: 5)
        let pid = agent.processIdentifier
        let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
        let cpuStart = cpuTicks(pid), start = Date()
        var peakRSS = 0.0
        while Date().timeIntervalSince(start) < seconds {
            Thread.sleep(forTimeInterval: min(5, seconds))
            peakRSS = max(peakRSS, rss(pid))
        }
        let elapsed = Date().timeIntervalSince(start)
        let cpuSeconds = Double(cpuTicks(pid) - cpuStart) / ticksPerSecond
        return Result(rssMegabytes: peakRSS, cpuPercentOfOneCore: cpuSeconds / elapsed * 100, seconds: elapsed)
    }

    static func spawn(_ url: URL, _ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Runs a program to its end and returns its standard output; a non-zero exit throws with its output.
    static func output(_ url: URL, _ arguments: [String], environment extra: [String: String] = [:]) throws -> String {
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(extra) { _, new in new }
        let pipe = Pipe(), errors = Pipe()
        process.standardOutput = pipe
        process.standardError = errors
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw BenchError(description: "\(url.lastPathComponent) \(arguments.joined(separator: " ")): \(text)\(errorText)")
        }
        return text
    }

    /// utime + stime of a process, in clock ticks.
    static func cpuTicks(_ pid: Int32) -> Int {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return (Int(fields[11]) ?? 0) + (Int(fields[12]) ?? 0)
    }

    /// Resident set size in MB (VmRSS).
    static func rss(_ pid: Int32) -> Double {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return 0 }
        let kb = Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
        return kb / 1024
    }
}

/// A step of a benchmark that failed, with what it printed.
struct BenchError: Error, CustomStringConvertible {
    var description: String
}
