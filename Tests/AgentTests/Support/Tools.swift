import Foundation
import TestSupport

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
        let result = try ChildProcess.run("/usr/bin/env", arguments, environment: ProcessInfo.processInfo.environment.merging(environment) { $1 },
                                          directory: directory)
        return (result.status, result.output, result.errors)
    }
}
