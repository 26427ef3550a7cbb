@testable import Controller
import Foundation
import HTTPTypes
import HummingbirdTesting
import Protocol
import Testing

@Suite("Dashboard sign-in, sessions and CSRF")
struct WebAuthTests {
    @Test("the admin token signs in with an HttpOnly, Secure, SameSite=Strict, expiring cookie and goes back to the page asked for")
    func signInSetsACookie() async throws {
        let fixture = try await WebFixture.make()
        defer { try? FileManager.default.removeItem(at: fixture.dir) }
        try await fixture.app.test(.router) { client in
            let response = try await WebClient(client).post("/login", ["token": fixture.admin, "next": "/apps?state=running"])
            #expect(response.status == .seeOther)
            #expect(response.headers[.location] == "/apps?state=running")
            let cookie = try #require(response.headers[.setCookie])
            for flag in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/", "Max-Age="] { #expect(cookie.contains(flag), "\(flag) in \(cookie)") }
            #expect(!cookie.contains(fixture.admin), "the token itself never goes to the browser")
        }
    }

    @Test("a return path to another site is replaced by the overview")
    func returnPathStaysHere() async throws {
        let fixture = try await WebFixture.make()
        defer { try? FileManager.default.removeItem(at: fixture.dir) }
        try await fixture.app.test(.router) { client in
            for next in ["//evil.example/x", "https://evil.example/", "/\\evil.example"] {
                let response = try await WebClient(client).post("/login", ["token": fixture.admin, "next": next])
                #expect(response.headers[.location] == "/", "\(next)")
            }
        }
    }

    @Test("a wrong token gets a clear message, and trying again at once is refused with 429 and Retry-After")
    func wrongTokenIsThrottled() async throws {
        let fixture = try await WebFixture.make(firstDelay: .seconds(600))
        defer { try? FileManager.default.removeItem(at: fixture.dir) }
        try await fixture.app.test(.router) { client in
            let first = try await WebClient(client).post("/login", ["token": "HLA1.0000.1111", "next": "/devices"])
            #expect(first.status == .unauthorized)
            #expect(first.body.contains("That is not a valid API token"))
            #expect(first.body.contains(#"value="/devices""#), "the page to return to is kept")
            #expect(WebClient.sessionCookie(first) == nil)
            let second = try await WebClient(client).post("/login", ["token": fixture.admin])
            #expect(second.status == .tooManyRequests, "even the right token waits out the delay")
            #expect(second.headers[.retryAfter] != nil)
            #expect(second.body.contains("Too many wrong tokens"))
        }
    }

    @Test("every dashboard page without a session goes to the login page, which brings the user back")
    func pagesNeedASession() async throws {
        let fixture = try await WebFixture.make()
        defer { try? FileManager.default.removeItem(at: fixture.dir) }
        let pages = fixture.routes.filter { $0.isWeb && !$0.isPublic }
        #expect(pages.count >= 20)
        try await fixture.app.test(.router) { client in
            for route in pages {
                let uri = APITests.concretePath(route.path)
                let response = try await WebClient(client).send(uri, method: route.method, headers: [:], body: "")
                if route.method == .get {
                    #expect(response.status == .seeOther, "\(route)")
                    #expect(response.headers[.location] == "/login?next=\(uri.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~")))!)", "\(route)")
                } else {
                    #expect(response.status == .unauthorized, "\(route)")
                    #expect(response.body.contains("session_expired"), "\(route)")
                }
            }
        }
    }

    @Test("a form without the session's CSRF secret, or posted from another site, is refused and changes nothing")
    func csrfIsChecked() async throws {
        let fixture = try await WebFixture.make()
        defer { try? FileManager.default.removeItem(at: fixture.dir) }
        try await fixture.app.test(.router) { client in
            let web = try await WebClient.signedIn(client, token: fixture.admin)
            let missing = try await web.post("/tokens/api", ["name": "mallory"], csrf: false)
            #expect(missing.status == .forbidden)
            #expect(missing.body.contains("csrf_failed"))
            let wrong = try await web.post("/tokens/api", ["name": "mallory", "csrf": "not-the-secret"])
            #expect(wrong.status == .forbidden)
            let foreign = try await web.post("/tokens/api", ["name": "mallory"], headers: [.origin: "https://evil.example"])
            #expect(foreign.status == .forbidden)
            #expect(foreign.body.contains("csrf_origin"))
            #expect(try await fixture.controller.context.tokens.listAPITokens().map(\.name) == ["admin"])
            let made = try await web.post("/tokens/api", ["name": "alice"])
            #expect(made.status == .created, "the same form with the secret works")
        }
    }

    @Test("revoking an API token ends the dashboard sessions signed in with it")
    func revokedTokenEndsSessions() async throws {
        let fixture = try await WebFixture.make()
        defer { try? FileManager.default.removeItem(at: fixture.dir) }
        let alice = try await fixture.controller.context.tokens.createAPIToken(CreateAPITokenRequest(name: "alice", role: .operator))
        try await fixture.app.test(.router) { client in
            let web = try await WebClient.signedIn(client, token: alice.token)
            #expect(try await web.get("/devices").status == .ok)
            try await fixture.controller.context.tokens.revokeAPIToken(id: alice.resource.id)
            let after = try await web.get("/devices")
            #expect(after.status == .seeOther)
            #expect(after.headers[.location] == "/login?next=%2Fdevices")
        }
    }

    @Test("signing out ends the session on the controller, not only in the browser")
    func signOut() async throws {
        let fixture = try await WebFixture.make()
        defer { try? FileManager.default.removeItem(at: fixture.dir) }
        try await fixture.app.test(.router) { client in
            let web = try await WebClient.signedIn(client, token: fixture.admin)
            let out = try await web.post("/logout")
            #expect(out.status == .seeOther)
            #expect(out.headers[.setCookie]?.contains("Max-Age=0") == true)
            #expect(try await web.get("/").status == .seeOther, "the old cookie no longer works")
        }
    }

    @Test("the API stays bearer-only: a session cookie opens no /v1 route")
    func cookieDoesNotOpenTheAPI() async throws {
        let fixture = try await WebFixture.make()
        defer { try? FileManager.default.removeItem(at: fixture.dir) }
        try await fixture.app.test(.router) { client in
            let web = try await WebClient.signedIn(client, token: fixture.admin)
            #expect(try await web.get("/v1/devices").status == .unauthorized)
        }
    }

    @Test("a session has its token's role: a viewer reads every page but its forms that change things get 403, and each refusal is audited")
    func sessionsHaveTheTokensRole() async throws {
        let fixture = try await WebFixture.make()
        defer { try? FileManager.default.removeItem(at: fixture.dir) }
        let viewer = try await fixture.controller.context.tokens.createAPIToken(CreateAPITokenRequest(name: "guest", role: .viewer))
        try await fixture.app.test(.router) { client in
            let web = try await WebClient.signedIn(client, token: viewer.token)
            for page in ["/", "/map", "/devices", "/catalog", "/apps"] {
                #expect(try await web.get(page).status == .ok, "\(page)")
            }
            #expect(try await web.get("/tokens").status == .forbidden, "tokens are the admin's")
            for (form, fields) in [("/apps/ghost/stop", [:]), ("/apps/ghost/migrate", ["to": "auto"]), ("/deploy/hello-web", ["name": "x"]), ("/tokens/api", ["name": "mallory", "role": "admin"]),
                                   ("/devices/box/remove", ["confirm": "box"])] as [(String, [String: String])] {
                let refused = try await web.post(form, fields)
                #expect(refused.status == .forbidden, "\(form): \(refused.status)")
                #expect(refused.body.contains("forbidden"), "the page says why (its code)")
            }
        }
        let audit = try await fixture.controller.context.audit.page(AuditLog.Query())
        let refusals = audit.items.filter { $0.tokenName == "guest" && $0.status == 403 }
        #expect(Set(refusals.map(\.action)) == ["POST /apps/{name}/{action}", "POST /apps/{name}/migrate", "POST /deploy/{id}", "POST /tokens/api", "POST /devices/{name}/remove"],
                "\(audit.items.map { "\($0.tokenName) \($0.action) \($0.status)" })")
        #expect(try await fixture.controller.context.tokens.listAPITokens().contains { $0.name == "mallory" } == false)
    }

    @Test("pages offer only the forms the session's role may submit: a viewer sees no deploy button, no device adding, no tokens section")
    func formsFollowTheRole() async throws {
        let fixture = try await WebFixture.make()
        defer { try? FileManager.default.removeItem(at: fixture.dir) }
        let tokens = fixture.controller.context.tokens
        let viewer = try await tokens.createAPIToken(CreateAPITokenRequest(name: "guest", role: .viewer))
        let operator_ = try await tokens.createAPIToken(CreateAPITokenRequest(name: "ops", role: .operator))
        try await fixture.app.test(.router) { client in
            for (token, role) in [(viewer.token, APIRole.viewer), (operator_.token, .operator), (fixture.admin, .admin)] {
                let web = try await WebClient.signedIn(client, token: token)
                let deploy = try await web.get("/deploy/hello-web")
                #expect(deploy.status == .ok)
                #expect(deploy.body.contains(">Deploy</button>") == role.allows(.operator), "\(role): the deploy button")
                #expect(deploy.body.contains("viewer token") == !role.allows(.operator), "\(role): why there is none")
                let devices = try await web.get("/devices")
                #expect(devices.body.contains(">Add a device</a>") == role.allows(.admin), "\(role): the title's button")
                #expect(devices.body.contains("href=\"/tokens\"") == role.allows(.admin), "\(role): the tokens section")
            }
        }
    }
}
