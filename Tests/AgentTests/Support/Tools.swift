import Foundation

/// Runs command-line tools (tar, python3, docker, docker-compose) for the tests.
enum Tools {
    struct Failed: Error, CustomStringConvertible {
        var arguments: [String]
        var status: Int32
        var output: String
        var description: String { "\(arguments.joined(separator: " ")) exited \(status): \(output)" }
    }

    /// Runs a tool from PATH in `directory`; returns its standard output, or throws with its error output.
    @discardableResult
    static func run(_ arguments: [String], in directory: String = "/", environment: [String: String] = [:]) throws -> String {
        let (status, output, errors) = try runStatus(arguments, in: directory, environment: environment)
        guard status == 0 else { throw Failed(arguments: arguments, status: status, output: output + errors) }
        return output
    }

    /// Runs a tool; returns its exit status, standard output and error output.
    static func runStatus(_ arguments: [String], in directory: String = "/", environment: [String: String] = [:]) throws
        -> (status: Int32, output: String, errors: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Error output is read on the side so that neither pipe can fill and stall the tool.
        let errorData = ErrorBox()
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            errorData.set(errors.fileHandleForReading.readDataToEndOfFile())
            done.signal()
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        done.wait()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self), String(decoding: errorData.get(), as: UTF8.self))
    }
}

private final class ErrorBox: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func set(_ value: Data) { lock.withLock { data = value } }
    func get() -> Data { lock.withLock { data } }
}
