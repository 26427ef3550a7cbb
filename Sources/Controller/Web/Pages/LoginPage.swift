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
        do {
            // The same throttle as bearer tokens on the API: an address that keeps failing waits, unchecked.
            let identity = try await web.controller.throttle.authenticate(from: context.remoteAddress) { await web.controller.tokens.identify(token) }
            let (cookie, session) = try await web.sessions.create(tokenID: identity.tokenID, tokenName: identity.name)
            var response = WebPage.redirect(to: next)
            response.setCookie(Cookie(name: SessionStore.cookieName, value: cookie, maxAge: Int(session.expiresAt.timeIntervalSinceNow), path: "/",
                                      secure: true, httpOnly: true, sameSite: .strict))
            return response
        } catch let throttled as ThrottledError {
            let wait = ThrottledError.seconds(throttled.retryAfter)
            var response = web.page(View(next: next, token: token, error: "Too many wrong tokens from your address: wait \(wait) s, then try again.",
                                         signedOut: false), "login",
                                    status: .tooManyRequests)
            response.headers[HTTPField.Name("Retry-After")!] = "\(wait)"
            return response
        } catch let error as HomelabError where error.code == .unauthorized {
            return web.page(View(next: next, token: token,
                                 error: "That is not a valid API token (it starts with HLA1.), or it was revoked or has expired. Check it and try again; each wrong try from your address makes the next wait longer.",
                                 signedOut: false), "login",
                            status: .unauthorized)
        }
    }

    /// Ends the session and forgets the cookie.
    static func signOut(_ web: WebContext, request: Request) async throws -> Response {
        if let cookie = request.cookies[SessionStore.cookieName]?.value { try await web.sessions.delete(cookie) }
        var response = WebPage.redirect(to: "/login?signed-out=1")
        response.setCookie(Cookie(name: SessionStore.cookieName, value: "", maxAge: 0, path: "/", secure: true, httpOnly: true, sameSite: .strict))
        return response
    }

}
