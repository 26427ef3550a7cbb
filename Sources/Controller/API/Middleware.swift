import Foundation
import Hummingbird
import Protocol

/// Refuses every API request (`/v1/…`, `/metrics`) without a valid `Authorization: Bearer` API token, except
/// public paths. Everything else is the dashboard, which `WebMiddleware` guards with a session.
struct BearerAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let tokens: TokenService
    let publicPaths: Set<String>

    /// Whether a path belongs to the API (bearer tokens) rather than the dashboard (sessions).
    static func isAPI(_ path: String) -> Bool { path == "/v1" || path.hasPrefix("/v1/") || path == "/metrics" || path == "/healthz" }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if publicPaths.contains(request.uri.path) || !Self.isAPI(request.uri.path) { return try await next(request, context) }
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
            throw ControllerError.unauthorized("missing bearer token: send 'Authorization: Bearer <token>'")
        }
        guard await tokens.verifyAPIToken(String(header.dropFirst("Bearer ".count)).trimmingWhitespace()) else {
            throw ControllerError.unauthorized("invalid API token")
        }
        return try await next(request, context)
    }
}

/// Renders every error as `{"error": {"code", "message"}}` with the right status.
struct APIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as ControllerError {
            return try Self.response(code: error.code, status: .init(code: error.httpStatus), message: error.message)
        } catch let error as HTTPError {
            let code = error.status == .notFound ? "not_found" : "bad_request"
            return try Self.response(code: code, status: error.status, message: error.body ?? error.status.reasonPhrase)
        } catch let error as ProtocolError {
            return try Self.response(code: error.code.rawValue, status: .badRequest, message: error.message)
        } catch {
            context.logger.error("request failed: \(error)")
            return try Self.response(code: "internal", status: .internalServerError, message: "internal error")
        }
    }

    static func response(code: String, status: HTTPResponse.Status, message: String) throws -> Response {
        var response = try JSONResponse.make(APIErrorResponse(code: code, message: message), status: status)
        if status == .unauthorized { response.headers[.wwwAuthenticate] = "Bearer realm=\"homelab\"" }
        return response
    }
}
