@testable import Controller
import Foundation
import HTTPTypes
import HummingbirdTesting
import Protocol
import Testing

@Suite("Dashboard pages")
struct WebPagesTests {
    static let pages = ["/", "/?fragment=live", "/map", "/map?group=hardware", "/devices", "/devices/add", "/apps", "/apps?state=running",
                        "/catalog", "/catalog?q=hello", "/catalog/hello-web", "/deploy/hello-web", "/tokens"]

    @Test("every page renders for a signed-in user with the CSP, no-store and frame headers, and no inline script, style or handler")
    func pagesRender() async throws {
        let fixture = try await WebFixture.make()
        defer { try? FileManager.default.removeItem(at: fixture.dir) }
        try await fixture.app.test(.router) { client in
            let web = try await WebClient.signedIn(client, token: fixture.admin)
            for uri in Self.pages + ["/login"] {
                let page = try await web.get(uri)
                #expect(page.status == .ok, "\(uri): \(page.body.prefix(300))")
                #expect(page.headers[.contentSecurityPolicy] == WebMiddleware.contentSecurityPolicy, "\(uri)")
                #expect(page.headers[.cacheControl] == "no-store", "\(uri)")
                #expect(page.headers[HTTPField.Name("X-Frame-Options")!] == "DENY", "\(uri)")
                #expect(page.headers[.contentType] == "text/html; charset=utf-8", "\(uri)")
                #expect(page.body.range(of: #"<script(?![^>]*\bsrc=)"#, options: .regularExpression) == nil, "\(uri) has an inline script")
                #expect(page.body.range(of: #"\sstyle=|\son[a-z]+="#, options: .regularExpression) == nil, "\(uri) has an inline style or handler")
                #expect(!page.body.contains("{{"), "\(uri) has an unrendered tag")
                if !uri.contains("fragment=") { #expect(page.body.contains("<h1"), "\(uri) has a heading") }
            }
        }
    }

    @Test("an empty homelab's pages say what to do next, with the real commands")
    func emptyStates() async throws {
        let fixture = try await WebFixture.make()
        defer { try? FileManager.default.removeItem(at: fixture.dir) }
        try await fixture.app.test(.router) { client in
            let web = try await WebClient.signedIn(client, token: fixture.admin)
            #expect(try await web.get("/").body.contains("<code>homelab tokens create --reusable</code>"))
            #expect(try await web.get("/devices").body.contains("No devices yet"))
            #expect(try await web.get("/apps").body.contains("<code>homelab deploy vaultwarden</code>"))
            #expect(try await web.get("/map").body.contains("No devices yet"))
            for page in ["/", "/devices", "/map"] {
                #expect(try await web.get(page).body.contains("href=\"/devices/add\""), "an administrator is shown how to add a device: \(page)")
            }
            // A viewer cannot add devices: the empty states say who can, with no link to a page it may not open.
            let viewer = try await fixture.controller.context.tokens.createAPIToken(CreateAPITokenRequest(name: "guest", role: .viewer))
            let guest = try await WebClient.signedIn(client, token: viewer.token)
            for page in ["/", "/devices", "/map"] {
                let body = try await guest.get(page).body
                #expect(body.contains("An administrator adds devices") && !body.contains("href=\"/devices/add\"")
                        && !body.contains("tokens create"), "\(page)")
                #expect(try await guest.get("\(page)?fragment=live").body.contains("An administrator adds devices"), "the live part too: \(page)")
            }
        }
    }

    @Test("an unknown page and an unknown app answer 404 pages with their code and message, and JSON when a script asks")
    func errorsArePages() async throws {
        let fixture = try await WebFixture.make()
        defer { try? FileManager.default.removeItem(at: fixture.dir) }
        try await fixture.app.test(.router) { client in
            let web = try await WebClient.signedIn(client, token: fixture.admin)
            let missing = try await web.get("/apps/ghost")
            #expect(missing.status == .notFound)
            #expect(missing.body.contains("<code>not_found</code>"))
            #expect(missing.body.contains("ghost"))
            let json = try await web.get("/apps/ghost", headers: [.accept: "application/json"])
            let error = try WireCoding.decoder.decode(APIErrorResponse.self, from: Data(json.body.utf8))
            #expect(error.error.code == "not_found")
            #expect(try await web.get("/no/such/page").status == .notFound)
            let gone = try await web.get("/apps/ghost?fragment=live")
            #expect(gone.status == .ok, "a live part whose app was removed says so instead of failing")
            #expect(gone.body.contains("ghost") && gone.body.contains("was removed"))
            #expect(try await web.get("/map?group=colour").status == .badRequest)
        }
    }

    @Test("Move to… without a destination says so and moves nothing; for an unknown app it is a 404 page")
    func moveForm() async throws {
        let fixture = try await WebFixture.make()
        defer { try? FileManager.default.removeItem(at: fixture.dir) }
        try await fixture.app.test(.router) { client in
            let web = try await WebClient.signedIn(client, token: fixture.admin)
            let nowhere = try await web.post("/apps/ghost/migrate", [:])
            #expect(nowhere.status == .badRequest && nowhere.body.contains("Choose where to move ghost"), "\(nowhere.status)")
            let ghost = try await web.post("/apps/ghost/migrate", ["to": "auto"])
            #expect(ghost.status == .notFound && ghost.body.contains("<code>not_found</code>"), "\(ghost.status)")
            let jobs = try await fixture.controller.context.jobs.store.jobs(JobFilter(kind: MigrationMachine.kind))
            #expect(jobs.isEmpty, "no migration job was submitted")
        }
    }

    @Test("the deploy wizard names each bad input beside its field, keeps what was typed, and stores nothing")
    func wizardKeepsInput() async throws {
        let fixture = try await WebFixture.make()
        defer { try? FileManager.default.removeItem(at: fixture.dir) }
        try await fixture.app.test(.router) { client in
            let web = try await WebClient.signedIn(client, token: fixture.admin)
            let form = try await web.get("/deploy/hello-web")
            #expect(form.body.contains(#"name="input.WEB_PORT""#))
            #expect(form.body.contains(#"value="18080""#), "defaults fill the form")
            let refused = try await web.post("/deploy/hello-web", ["name": "greeter", "input.WEB_PORT": "99999", "input.GREETING": "bonjour", "input.DELAY": "soon"])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.body.contains(#"id="input-WEB_PORT-error""#))
            #expect(refused.body.contains(#"id="input-DELAY-error""#))
            #expect(refused.body.contains(#"value="bonjour""#), "what was typed is kept")
            #expect(refused.body.contains(#"value="99999""#))
            #expect(refused.body.contains(#"value="greeter""#))
            #expect(refused.body.contains("invalid_inputs"))
            #expect(try await fixture.controller.context.deployments.list().isEmpty)
        }
    }

    @Test("a deploy the scheduler cannot place shows its code and message on the form, values kept")
    func wizardShowsAPIErrors() async throws {
        let fixture = try await WebFixture.make()
        defer { try? FileManager.default.removeItem(at: fixture.dir) }
        try await fixture.app.test(.router) { client in
            let web = try await WebClient.signedIn(client, token: fixture.admin)
            let refused = try await web.post("/deploy/hello-web", ["name": "greeter", "input.GREETING": "hallo"])
            #expect(refused.status.code >= 400)
            #expect(refused.body.contains(#"role="alert""#))
            #expect(refused.body.contains("Error <code>"))
            #expect(refused.body.contains(#"value="hallo""#))
        }
    }

    @Test("bundled templates all parse and assets are served with their types, never a file outside their folder")
    func templatesAndAssets() async throws {
        #expect(Templates.shared.problems.isEmpty, "\(Templates.shared.problems)")
        let fixture = try await WebFixture.make()
        defer { try? FileManager.default.removeItem(at: fixture.dir) }
        try await fixture.app.test(.router) { client in
            let web = WebClient(client)
            let css = try await web.get("/assets/app.css")
            #expect(css.status == .ok)
            #expect(css.headers[.contentType] == "text/css; charset=utf-8")
            #expect(css.body.contains("prefers-color-scheme: dark"))
            #expect(try await web.get("/assets/js/app.js").headers[.contentType] == "text/javascript; charset=utf-8")
            for path in ["/assets/../Templates/layout.mustache", "/assets/%2e%2e/Templates/layout.mustache", "/assets/js/../../Templates/login.mustache", "/assets/nope.css"] {
                #expect(try await web.get(path).status == .notFound, "\(path)")
            }
            let chart = try await web.get("/assets/vendor/chart.js")
            #expect(chart.status == (Assets.chartJS == nil ? .notFound : .ok))
        }
    }
}

@Suite("Dashboard: adding a device over SSH")
struct WebBootstrapTests {
    @Test("the add-device form names what is missing, as JSON for its script, and starts nothing")
    func addDeviceChecksTheForm() async throws {
        let fixture = try await WebFixture.make()
        defer { try? FileManager.default.removeItem(at: fixture.dir) }
        try await fixture.app.test(.router) { client in
            let web = try await WebClient.signedIn(client, token: fixture.admin)
            let cases: [([String: String], String)] = [
                ([:], "host:"), (["host": "198.18.0.50"], "password or privateKey"), (["host": "198.18.0.50", "password": "x", "port": "70000"], "port:"),
            ]
            for (fields, message) in cases {
                let response = try await web.post("/devices/add", fields, headers: [.accept: "application/json"])
                #expect(response.status == .badRequest, "\(fields)")
                let error = try WireCoding.decoder.decode(APIErrorResponse.self, from: Data(response.body.utf8))
                #expect(error.error.message.contains(message), "\(fields): \(error.error.message)")
            }
            let page = try await web.get("/devices/add?host=198.18.0.50")
            #expect(page.body.contains(#"value="198.18.0.50""#), "a candidate's address fills the form")
        }
    }

    @Test("a bootstrap that does not exist is a 404 page")
    func unknownBootstrap() async throws {
        let fixture = try await WebFixture.make()
        defer { try? FileManager.default.removeItem(at: fixture.dir) }
        try await fixture.app.test(.router) { client in
            let web = try await WebClient.signedIn(client, token: fixture.admin)
            #expect(try await web.get("/bootstraps/nope").status == .notFound)
        }
    }
}
