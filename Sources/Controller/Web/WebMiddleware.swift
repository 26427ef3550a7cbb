import Foundation
import HTTPTypes
import Hummingbird
import Protocol

/// Guards the dashboard (every path outside the API): security headers on every answer, a session for every
/// page but the login page and the assets, a CSRF check on every state-changing request, and errors shown as
/// pages (or JSON, when the page's script asked for it) with their code and message.
struct WebMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let sessions: SessionStore
    /// Where a session's token is looked up on each request: a revoked or expired token ends its sessions at once,
    /// and the token's role is the session's (the access table and the audit log read it from the context).
    let tokens: TokenService

    /// Paths served without a session.
    static func isPublic(_ path: String) -> Bool { path == "/login" || path.hasPrefix("/assets/") }

    /// No inline script or style anywhere; only this origin's files, and the WebSocket back to it.
    static let contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        if BearerAuthMiddleware.isAPI(path) { return try await next(request, context) }
        var response: Response
        do {
            response = try await guarded(request, context: context, next: next)
        } catch {
            response = try WebPage.error(error, request: request, logger: context.logger)
        }
        Self.secure(&response.headers, cacheable: path.hasPrefix("/assets/") && response.status == .ok)
        return response
    }

    private func guarded(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var request = request
        var context = context
        let path = request.uri.path
        let unsafe = ![.get, .head, .options].contains(request.method)
        if unsafe { try Self.checkOrigin(request) }
        if Self.isPublic(path) { return try await next(request, context) }
        guard let cookie = request.cookies[SessionStore.cookieName]?.value, var session = try await sessions.resolve(cookie),
              let identity = await tokens.identity(ofToken: session.tokenID) else {
            if request.method == .get && !WebPage.wantsJSON(request) && request.headers[.upgrade] == nil {
                return WebPage.redirect(to: "/login?next=\(WebPage.percentEncoded(request.uri.description))")
            }
            throw HomelabError(.sessionExpired, "Your session has ended: sign in again.")
        }
        if unsafe {
            let buffer = try await request.collectBody(upTo: 4 << 20)
            let given = request.headers[WebPage.csrfHeader] ?? FormBody(buffer: buffer)["csrf"]
            guard let given, Secrets.constantTimeEquals(given, session.csrf) else {
                throw HomelabError(.csrfFailed, "This form is out of date or came from another site: reload the page and try again.")
            }
        }
        session.role = identity.role
        context.session = session
        context.identity = identity
        return try await next(request, context)
    }

    /// A state-changing request from a page of another origin is refused, whatever it carries.
    static func checkOrigin(_ request: Request) throws {
        guard let origin = request.headers[.origin] else { return }
        guard let host = request.head.authority, origin == "https://\(host)" || origin == "http://\(host)" else {
            throw HomelabError(.csrfOrigin, "Refused: the request came from another site (\(origin)).")
        }
    }

    /// The headers every dashboard answer carries.
    static func secure(_ headers: inout HTTPFields, cacheable: Bool) {
        headers[.contentSecurityPolicy] = contentSecurityPolicy
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        headers[.strictTransportSecurity] = "max-age=31536000"
        headers[.cacheControl] = cacheable ? "private, max-age=300" : "no-store"
    }
}
