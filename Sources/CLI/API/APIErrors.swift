import Foundation
import NIOCore
import Protocol

/// Maps the controller's error answers (`{"error":{"code":…,"message":…}}`) to `CLIError`s and exit codes.
public enum APIErrors {
    /// The `CLIError` for a non-success HTTP status and its body.
    public static func error(status: Int, body: ByteBuffer) -> CLIError {
        let detail = try? WireCoding.decoder.decode(APIErrorResponse.self, from: Data(UntrustedJSON.sanitized(body.readableBytesView))).error
        return error(status: status, detail: detail)
    }

    /// The `CLIError` for a non-success HTTP status and the controller's detail, when it sent one.
    public static func error(status: Int, detail: APIErrorResponse.Detail?) -> CLIError {
        let message = detail.map { sentence($0.message) }
        switch status {
        case 401:
            return .unauthorized
        case 404:
            return CLIError(.notFound, message ?? "the controller does not know it (404)", exitCode: ExitStatus.notFound)
        case 409:
            return CLIError(.conflict, message ?? "the controller refused: conflict (409)", exitCode: ExitStatus.failure)
        case 400:
            return CLIError(.badRequest, message.map { "the controller rejected the request: \($0)" } ?? "the controller rejected the request (400)", exitCode: ExitStatus.failure)
        default:
            let shown = message.map { ": \($0)" } ?? ""
            return CLIError(.controller, "the controller failed (HTTP \(status))\(shown)", exitCode: ExitStatus.failure)
        }
    }

    private static func sentence(_ text: String) -> String {
        var text = text.trimmingWhitespace()
        while text.hasSuffix(".") { text.removeLast() }
        return text
    }
}
