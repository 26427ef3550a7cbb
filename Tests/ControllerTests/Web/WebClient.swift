@testable import Controller
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Protocol
import Testing
import TestSupport

/// A controller's router driven as a browser drives the dashboard: it signs in, keeps the session cookie and
/// sends the page's CSRF secret with its forms.
struct WebClient {
    let client: any TestClientProtocol
    var cookie: String?
    var csrf: String?

    /// A signed-out browser.
    init(_ client: any TestClientProtocol) { self.client = client }

    /// Signs in with `token` and reads the CSRF secret off the overview.
    static func signedIn(_ client: any TestClientProtocol, token: String) async throws -> WebClient {
        var web = WebClient(client)
        let response = try await web.post("/login", ["token": token, "next": "/"])
        #expect(response.status == .seeOther)
        let cookie: String = try #require(Self.sessionCookie(response), "a session cookie")
        web.cookie = cookie
        let page = try await web.get("/")
        let csrf: String = try #require(Self.meta(page.body, "csrf-token"), "the page's CSRF secret")
        web.csrf = csrf
        return web
    }

    /// A response with its body as text.
    struct Page {
        var status: HTTPResponse.Status
        var headers: HTTPFields
        var body: String
    }

    func get(_ uri: String, headers extra: HTTPFields = [:]) async throws -> Page {
        try await send(uri, method: .get, headers: extra, body: nil)
    }

    /// Posts a form; the CSRF secret is added unless `csrf` is false.
    func post(_ uri: String, _ fields: [String: String] = [:], csrf: Bool = true, headers extra: HTTPFields = [:]) async throws -> Page {
        var fields = fields
        if csrf, let secret = self.csrf, fields["csrf"] == nil { fields["csrf"] = secret }
        var headers = extra
        headers[.contentType] = "application/x-www-form-urlencoded"
        return try await send(uri, method: .post, headers: headers, body: Self.encode(fields))
    }

    func send(_ uri: String, method: HTTPRequest.Method, headers extra: HTTPFields, body: String?) async throws -> Page {
        var headers = extra
        if let cookie { headers[.cookie] = "\(SessionCookie.name)=\(cookie)" }
        return try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) { response in
            Page(status: response.status, headers: response.headers, body: String(buffer: response.body))
        }
    }

    static func encode(_ fields: [String: String]) -> String {
        fields.sorted { $0.key < $1.key }.map { key, value in
            let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
            return "\(key.addingPercentEncoding(withAllowedCharacters: allowed)!)=\(value.addingPercentEncoding(withAllowedCharacters: allowed)!)"
        }.joined(separator: "&")
    }

    /// The session cookie's value in a `Set-Cookie` header.
    static func sessionCookie(_ page: Page) -> String? {
        guard let header = page.headers[.setCookie], header.hasPrefix("\(SessionCookie.name)=") else { return nil }
        return String(header.dropFirst(SessionCookie.name.count + 1).prefix { $0 != ";" })
    }

    /// A `<meta name=… content=…>` value.
    static func meta(_ html: String, _ name: String) -> String? {
        guard let range = html.range(of: #"<meta name="\#(name)" content="([^"]*)""#, options: .regularExpression) else { return nil }
        return String(html[range]).components(separatedBy: "content=\"").last.map { String($0.dropLast()) }
    }
}

/// The session cookie's name as browsers see it.
enum SessionCookie {
    static let name = "__Host-homelab-session"
}

/// A controller over a temporary state with the test catalog (hello-web), and its router.
struct WebFixture {
    let controller: ControllerApp
    let app: Application<RouterResponder<APIRoutes.Context>>
    let routes: [APIRoutes.Route]
    let dir: URL

    /// A fixture whose auth throttle makes the first wrong token wait `firstDelay` (long: a loaded machine must not
    /// outlast it between two requests of a test), with no failure free.
    static func make(function: String = #function, firstDelay: Duration = .seconds(1)) async throws -> WebFixture {
        let dir = try temporaryDirectory(function)
        var config = ControllerConfig(stateDirectory: dir.appendingPathComponent("state"))
        config.discovery.network.enabled = false  // never multicast outside the lab
        config.catalogDirectories = [try TestRecipes.catalog(in: dir)]
        config.limits.authThrottle.freeFailures = 0
        config.limits.authThrottle.firstDelay = firstDelay
        let controller = try await ControllerApp.open(config: config)
        let (router, routes) = APIRoutes(controller: controller.context).makeRouter()
        return WebFixture(controller: controller, app: Application(router: router), routes: routes, dir: dir)
    }

    var admin: String { controller.newAdminToken ?? "" }
}
