import Foundation
import Hummingbird
import Logging
import Protocol

/// Refuses every request without a valid `Authorization: Bearer` API token, except public paths.
struct BearerAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let tokens: TokenService
    let publicPaths: Set<String>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if publicPaths.contains(request.uri.path) { return try await next(request, context) }
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
            throw HomelabError.unauthorized("missing bearer token: send 'Authorization: Bearer <token>'")
        }
        guard await tokens.verifyAPIToken(String(header.dropFirst("Bearer ".count)).trimmingWhitespace()) else {
            throw HomelabError.unauthorized("invalid API token")
        }
        return try await next(request, context)
    }
}

/// Renders every error as `{"error": {"code", "message", "context"}}` with its status; an error that is not
/// a ``HomelabError`` is logged and answered as `internal`, never with its text.
struct APIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return try HomelabError.shown(error, logger: context.logger).response(from: request, context: context)
        }
    }
}

extension HomelabError {
    /// What people are shown for `error`: itself when it is a ``HomelabError``, Hummingbird's own HTTP errors
    /// as their code, anything else as `internal` (its text goes to the log only).
    static func shown(_ error: any Error, logger: Logger) -> HomelabError {
        switch error {
        case let error as HomelabError:
            return error
        case let error as HTTPError:
            let code: HomelabError.Code = switch error.status.code {
            case 404: .notFound
            case 401: .unauthorized
            case 405: .methodNotAllowed
            case 413: .payloadTooLarge
            case 500...: .internal
            default: .badRequest
            }
            return HomelabError(code, error.body ?? error.status.reasonPhrase)
        default:
            logger.error("request failed: \(error)")
            return .internal()
        }
    }
}
