import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Protocol
import Synchronization

/// Authenticates every request except those to public paths: the `Authorization: Bearer` token (the scheme
/// in any case, as RFC 9110 says) goes through the ``AuthThrottle``, and the caller's identity is put in the
/// context for the access table and the audit log.
struct BearerAuthMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let tokens: TokenService
    let throttle: AuthThrottle
    let publicPaths: Set<String>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if publicPaths.contains(request.uri.path) { return try await next(request, context) }
        guard let token = Self.bearerToken(request.headers[.authorization]) else {
            throw HomelabError.unauthorized("missing bearer token: send 'Authorization: Bearer <token>'")
        }
        var context = context
        context.identity = try await throttle.authenticate(from: context.remoteAddress) { await tokens.identify(token) }
        return try await next(request, context)
    }

    /// The token of an `Authorization` header whose scheme is `Bearer` (any case); nil otherwise.
    static func bearerToken(_ header: String?) -> String? {
        guard let header, header.count > 7, header.prefix(7).lowercased() == "bearer " else { return nil }
        let token = header.dropFirst(7).trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }
}

/// Lets a call through only when the access table gives its route a role the caller has; a route the table
/// does not list is refused for everyone.
struct AccessMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let routerPath = context.endpointPath else { return try await next(request, context) }
        let route = "\(request.method) \(AccessTable.openAPIPath(routerPath))"
        switch AccessTable.access(method: request.method.rawValue, path: AccessTable.openAPIPath(routerPath)) {
        case .public?:
            return try await next(request, context)
        case .role(let required)?:
            guard let identity = context.identity else { throw HomelabError.unauthorized("this route needs an API token") }
            guard identity.role.allows(required) else {
                throw HomelabError.forbidden("\(route) needs the \(required.rawValue) role; the token '\(identity.name)' is \(identity.role.rawValue)")
            }
            return try await next(request, context)
        case nil:
            throw HomelabError.forbidden("\(route) has no access rule, so nobody may call it")
        }
    }
}

/// Writes every state-changing call of an authenticated caller to the audit log, with its outcome.
struct AuditMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let audit: AuditLog

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let identity = context.identity, let routerPath = context.endpointPath,
              ![.get, .head, .options].contains(request.method) else { return try await next(request, context) }
        let action = "\(request.method) \(AccessTable.openAPIPath(routerPath))"
        do {
            let response = try await next(request, context)
            await audit.record(identity, action: action, target: request.uri.path, source: context.remoteAddress,
                               status: response.status.code, errorCode: nil)
            return response
        } catch {
            let shown = HomelabError.shown(error, logger: context.logger)
            await audit.record(identity, action: action, target: request.uri.path, source: context.remoteAddress,
                               status: shown.httpStatus, errorCode: shown.code.rawValue)
            throw error
        }
    }
}

/// Answers 405 with `Allow` for a method a known path does not serve (TRACE on a route, say), instead of 404.
struct MethodNotAllowedMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    /// Every route's method and path template, known once the router is built.
    let routes: RouteList

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound && [nil, "NotFound"].contains(context.endpointPath) {
            let allowed = routes.value.filter { Self.matches(template: $0.path, path: request.uri.path) }.map(\.method.rawValue)
            guard !allowed.isEmpty else { throw error }
            let allow = Array(Set(allowed + (allowed.contains("GET") ? ["HEAD"] : []))).sorted().joined(separator: ", ")
            throw MethodNotAllowed(method: request.method.rawValue, allow: allow)
        }
    }

    /// Whether a concrete path fits a template whose `{…}` segments stand for one segment each.
    static func matches(template: String, path: String) -> Bool {
        let wanted = template.split(separator: "/", omittingEmptySubsequences: false)
        let given = path.split(separator: "/", omittingEmptySubsequences: false)
        return wanted.count == given.count && zip(wanted, given).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
    }
}

/// The router's routes, set once it is built (middleware is made before the routes are added).
final class RouteList: Sendable {
    private let routes = Mutex<[APIRoutes.Route]>([])
    func set(_ value: [APIRoutes.Route]) { routes.withLock { $0 = value } }
    var value: [APIRoutes.Route] { routes.withLock { $0 } }
}

/// A method the path does not serve.
struct MethodNotAllowed: Error {
    let method: String
    let allow: String
}

/// Security headers on every answer: HSTS (the API is only ever HTTPS), no content sniffing, and no caching,
/// since answers carry tokens, secrets and live state.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.strictTransportSecurity] = "max-age=31536000"
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.cacheControl] = "no-store"
        return response
    }
}

/// Renders every error as `{"error": {"code", "message"}}` with the right status. Anything that is not one of
/// our errors is logged and answered as `internal`, without its text.
struct APIErrorMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let shown = HomelabError.shown(error, logger: context.logger)
            if request.headers[.upgrade]?.lowercased() == "websocket" { await UpgradeRefusal.stash(shown, on: context.channel) }
            var response = try shown.response(from: request, context: context)
            if let throttled = error as? ThrottledError {
                response.headers[.retryAfter] = String(ThrottledError.seconds(throttled.retryAfter))
            }
            if let notAllowed = error as? MethodNotAllowed { response.headers[.allow] = notAllowed.allow }
            return response
        }
    }
}

extension HomelabError {
    /// What people are shown for `error`: itself when it is a ``HomelabError``; a name, a number or a method
    /// refused, a throttled login, a body too large and Hummingbird's own HTTP errors as their codes; anything
    /// else as `internal` (its text goes to the log only).
    static func shown(_ error: any Error, logger: Logger) -> HomelabError {
        switch error {
        case let error as HomelabError:
            return error
        case let error as SafeNameError:
            return .invalidName(error)
        case let error as InputBoundError:
            return .invalidValue(error)
        case let error as ThrottledError:
            return error.error
        case let error as MethodNotAllowed:
            return HomelabError(.methodNotAllowed, "\(error.method) is not served here; allowed: \(error.allow)")
        case is NIOTooManyBytesError:
            return .payloadTooLarge(limit: nil)
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
