import Foundation
import Protocol

/// Follows a bootstrap or uninstall on the controller until it ends, printing each step as a plain
/// line when it happens (to standard error with `--output json`, so standard output stays JSON).
struct BootstrapFollower: Sendable {
    let context: CommandContext
    /// Printed before each line (the host, in a batch).
    var prefix = ""
    /// Whether lines go to standard error.
    var toErrors = false

    func follow(_ client: APIClient, _ started: BootstrapResource) async throws(CLIError) -> BootstrapResource {
        var operation = started
        var shown = 0
        let style = Style(colorEnabled: context.usesColor && !toErrors)
        while true {
            for step in operation.steps.dropFirst(shown) { print(Self.line(step, style: style)) }
            shown = operation.steps.count
            if operation.state != .running { return operation }
            try? await Task.sleep(for: .milliseconds(250))
            operation = try await client.get(APIPaths.bootstrap(operation.id), as: BootstrapResource.self)
        }
    }

    private func print(_ line: String) {
        let text = prefix + line + "\n"
        if toErrors { context.console.writeError(text) } else { context.console.write(text) }
    }

    /// `  upload     done     checksum 3f2a…  verified`.
    static func line(_ step: BootstrapStep, style: Style) -> String {
        let status: String
        switch step.status {
        case "done": status = style.paint(step.status, code: "32")
        case "failed": status = style.paint(step.status, code: "31")
        case "skipped": status = style.paint(step.status, code: "33")
        default: status = step.status
        }
        let padded = status + String(repeating: " ", count: max(0, 8 - step.status.count))
        return "  " + step.step.padding(toLength: 12, withPad: " ", startingAt: 0) + " " + padded + " " + step.message
    }

    /// The error a failed operation ends the command with.
    static func error(_ operation: BootstrapResource) -> CLIError {
        let failure = operation.failure ?? BootstrapFailure(code: "failed", message: "\(operation.kind) on \(operation.host) failed")
        return CLIError(CLIError.Code(rawValue: failure.code), failure.message, exitCode: ExitStatus.failure)
    }
}
