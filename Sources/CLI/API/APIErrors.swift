import Foundation
import NIOCore
import Protocol

/// Maps the controller's error answers (`{"error":{"code":…,"message":…,"context":…}}`) to `CLIError`s: the
/// controller's code and message are shown as they are, and the code decides the exit status.
public enum APIErrors {
    /// The `CLIError` for a non-success HTTP status and its body.
    public static func error(status: Int, body: ByteBuffer) -> CLIError {
        let detail = try? WireCoding.decoder.decode(APIErrorResponse.self, from: Data(UntrustedJSON.sanitized(body.readableBytesView))).error
        return error(status: status, detail: detail)
    }

    /// The `CLIError` for a non-success HTTP status and the controller's error, when it sent one.
    public static func error(status: Int, detail: HomelabError?) -> CLIError {
        guard let detail else {
            // No error body (something between us and the controller answered): the status is all there is.
            switch status {
            case 401: return .unauthorized
            case 404: return CLIError(.notFound, "the controller does not know it (404)", exitCode: ExitStatus.notFound)
            default: return CLIError(.controller, "the controller failed (HTTP \(status))", exitCode: ExitStatus.failure)
            }
        }
        if detail.code == .unauthorized {
            var refused = CLIError.unauthorized
            refused.controller = detail
            return refused
        }
        return CLIError(controller: HomelabError(detail.code, sentence(detail.message), context: detail.context))
    }

    private static func sentence(_ text: String) -> String {
        var text = text.trimmingWhitespace()
        while text.hasSuffix(".") { text.removeLast() }
        return text
    }
}
