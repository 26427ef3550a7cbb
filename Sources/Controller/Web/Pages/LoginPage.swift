import Foundation
import HTTPTypes
import Hummingbird
import Protocol

/// `/login` and `/logout`: an API token in, a session cookie out (HttpOnly, Secure, SameSite=Strict, expiring).
/// The token itself never reaches the browser's storage.
enum LoginPage {
    struct View: Sendable {
        var next: String
        var token: String
        var error: String?
        var signedOut: Bool
    }

    /// The form.
    static func form(_ web: WebContext, request: Request) -> Response {
        let query = request.uri.queryParameters
        return web.page(View(next: WebPage.safeReturnPath(query["next"].map(String.init)), token: "", error: nil,
                             signedOut: query["signed-out"] != nil), "login")
    }

    /// Checks the token through the throttle; a good one opens a session and goes back to the page asked for.
    static func signIn(_ web: WebContext, request: Request, context: APIRequestContext) async throws -> Response {
        var request = request
        let form = FormBody(buffer: try await request.collectBody(upTo: 16 << 10))
        let next = WebPage.safeReturnPath(form["next"])
        let token = form.trimmed("token") ?? ""
        let outcome = await web.throttle.attempt(from: context.sourceAddress) { await web.controller.tokens.identify(apiToken: token) }
        switch outcome {
        case .accepted(let identity):
            let (cookie, session) = try await web.sessions.create(tokenID: identity.id, tokenName: identity.name)
            var response = WebPage.redirect(to: next)
            response.setCookie(Cookie(name: SessionStore.cookieName, value: cookie, maxAge: Int(session.expiresAt.timeIntervalSinceNow), path: "/",
                                      secure: true, httpOnly: true, sameSite: .strict))
            return response
        case .refused(let wait):
            return web.page(View(next: next, token: token,
                                 error: "That is not a valid API token. Check it (it starts with HLA1.) and try again in \(seconds(wait)) s.",
                                 signedOut: false), "login",
                            status: .unauthorized)
        case .throttled(let wait):
            var response = web.page(View(next: next, token: token, error: "Too many wrong tokens from your address: wait \(seconds(wait)) s, then try again.",
                                         signedOut: false), "login",
                                    status: .tooManyRequests)
            response.headers[HTTPField.Name("Retry-After")!] = "\(seconds(wait))"
            return response
        }
    }

    /// Ends the session and forgets the cookie.
    static func signOut(_ web: WebContext, request: Request) async throws -> Response {
        if let cookie = request.cookies[SessionStore.cookieName]?.value { try await web.sessions.delete(cookie) }
        var response = WebPage.redirect(to: "/login?signed-out=1")
        response.setCookie(Cookie(name: SessionStore.cookieName, value: "", maxAge: 0, path: "/", secure: true, httpOnly: true, sameSite: .strict))
        return response
    }

    static func seconds(_ duration: Duration) -> Int { max(1, Int((Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18).rounded(.up))) }
}
