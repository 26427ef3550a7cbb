@testable import Controller
import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Protocol
import Testing

/// People and roles, the access table, the audit log and the auth throttle.
@Suite("Roles, the access table and the audit log")
struct AccessTests {
    typealias App = Application<RouterResponder<APIRoutes.Context>>

    static func token(_ controller: ControllerApp, _ name: String, _ role: APIRole, ttl: Int? = nil) async throws -> String {
        try await controller.context.tokens.createAPIToken(CreateAPITokenRequest(name: name, role: role, ttlSeconds: ttl)).token
    }

    static func status(_ client: some TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, _ token: String, body: String = "") async throws -> HTTPResponse.Status {
        try await client.execute(uri: uri, method: method, headers: [.authorization: "Bearer \(token)", .contentType: "application/json"],
                                 body: ByteBuffer(string: body)) { $0.status }
    }

    @Test("every route the router has is in the access table, with the same public flag")
    func tableCoversEveryRoute() async throws {
        let (_, _, routes, dir) = try await APITests.makeApp()
        defer { try? FileManager.default.removeItem(at: dir) }
        for route in routes {
            let access = AccessTable.access(method: route.method.rawValue, path: route.path)
            #expect(access != nil, "\(route) has no access rule")
            #expect((access == .public) == route.isPublic, "\(route)")
        }
        #expect(Set(routes.map { "\($0.method) \($0.path)" }) == Set(AccessTable.routes.keys), "no stale rules")
    }

    @Test("a viewer reads but changes nothing; an operator deploys and stops but makes no tokens and removes no devices")
    func rolesEnforced() async throws {
        let (controller, app, _, dir) = try await APITests.makeApp()
        defer { try? FileManager.default.removeItem(at: dir) }
        let viewer = try await Self.token(controller, "vera", .viewer)
        let op = try await Self.token(controller, "otto", .operator)
        try await app.test(.router) { client in
            #expect(try await Self.status(client, .get, "/v1/devices", viewer) == .ok)
            #expect(try await Self.status(client, .get, "/v1/deployments", viewer) == .ok)
            #expect(try await Self.status(client, .post, "/v1/deployments/memos/stop", viewer) == .forbidden)
            #expect(try await Self.status(client, .post, "/v1/tokens", viewer, body: #"{"reusable":false,"labels":{}}"#) == .forbidden)
            #expect(try await Self.status(client, .get, "/v1/tokens", viewer) == .forbidden)
            // The operator passes the access check and reaches the handler (404: no such deployment).
            #expect(try await Self.status(client, .post, "/v1/deployments/memos/stop", op) == .notFound)
            #expect(try await Self.status(client, .delete, "/v1/devices/pi", op) == .forbidden)
            #expect(try await Self.status(client, .post, "/v1/devices/pi/approve", op) == .forbidden)
            #expect(try await Self.status(client, .post, "/v1/bootstraps", op, body: "{}") == .forbidden)
            #expect(try await Self.status(client, .post, "/v1/api-tokens", op, body: #"{"name":"x","role":"admin"}"#) == .forbidden)
            let body = try await client.execute(uri: "/v1/devices/pi", method: .delete, headers: [.authorization: "Bearer \(op)"]) {
                try WireCoding.decoder.decode(APIErrorResponse.self, from: Data($0.body.readableBytesView)).error
            }
            #expect(body.code == "forbidden")
            #expect(body.message == "DELETE /v1/devices/{name} needs the admin role; the token 'otto' is operator")
        }
    }

    @Test("a route without an access rule is refused for everyone, the admin included")
    func unlistedRouteRefused() async throws {
        let (controller, _, _, dir) = try await APITests.makeApp()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (router, _) = APIRoutes(controller: controller.context).makeRouter()
        router.get("/v1/forgotten") { _, _ in "should never answer" }
        let admin = try #require(controller.newAdminToken)
        let status = try await Application(router: router).test(.router) { client in
            try await Self.status(client, .get, "/v1/forgotten", admin)
        }
        #expect(status == .forbidden)
    }

    @Test("API tokens: made with a role, listed without secrets, revoked at once; expired ones fail; the last admin token stays")
    func apiTokens() async throws {
        let (controller, app, _, dir) = try await APITests.makeApp()
        defer { try? FileManager.default.removeItem(at: dir) }
        let admin = try #require(controller.newAdminToken)
        let adminID = String(admin.split(separator: ".")[1])
        try await app.test(.router) { client in
            let created = try await client.execute(uri: "/v1/api-tokens", method: .post, headers: [.authorization: "Bearer \(admin)"],
                                                    body: ByteBuffer(string: #"{"name":"alice","role":"viewer","ttlSeconds":3600}"#)) { response in
                #expect(response.status == .created)
                #expect(response.headers[.cacheControl] == "no-store")
                return try WireCoding.decoder.decode(CreatedAPIToken.self, from: Data(response.body.readableBytesView))
            }
            #expect(created.resource.role == .viewer)
            #expect(try await Self.status(client, .get, "/v1/devices", created.token) == .ok)
            try await client.execute(uri: "/v1/api-tokens", method: .get, headers: [.authorization: "Bearer \(admin)"]) { response in
                #expect(!String(buffer: response.body).contains(String(created.token.split(separator: ".")[2])))
            }
            #expect(try await Self.status(client, .delete, "/v1/api-tokens/\(created.resource.id)", admin) == .noContent)
            #expect(try await Self.status(client, .get, "/v1/devices", created.token) == .unauthorized)
            #expect(try await Self.status(client, .delete, "/v1/api-tokens/\(adminID)", admin) == .conflict, "the last admin token")
            #expect(try await Self.status(client, .post, "/v1/api-tokens", admin, body: #"{"name":"bob","role":"root"}"#) == .badRequest)
            #expect(try await Self.status(client, .post, "/v1/api-tokens", admin, body: #"{"name":"bob","role":"viewer","ttlSeconds":1}"#) == .badRequest)
        }
        let expired = try await controller.context.tokens.createAPIToken(CreateAPITokenRequest(name: "old", role: .admin, ttlSeconds: 60),
                                                                          now: Date().addingTimeInterval(-120))
        #expect(await controller.context.tokens.identify(expired.token) == nil)
    }

    @Test("every state-changing call is audited with who, what, target, source and outcome, paged and filtered, and shown in the activity feed")
    func auditLog() async throws {
        let (controller, app, _, dir) = try await APITests.makeApp()
        defer { try? FileManager.default.removeItem(at: dir) }
        let admin = try #require(controller.newAdminToken)
        let viewer = try await Self.token(controller, "vera", .viewer)
        try await app.test(.router) { client in
            for _ in 0..<3 { _ = try await Self.status(client, .post, "/v1/tokens", admin, body: #"{"reusable":false,"labels":{}}"#) }
            _ = try await Self.status(client, .delete, "/v1/devices/ghost", admin)
            _ = try await Self.status(client, .post, "/v1/deployments/memos/stop", viewer)
            _ = try await Self.status(client, .get, "/v1/devices", admin)
            let page = try await client.execute(uri: "/v1/audit?limit=2", method: .get, headers: [.authorization: "Bearer \(admin)"]) { response in
                try WireCoding.decoder.decode(AuditPage.self, from: Data(response.body.readableBytesView))
            }
            #expect(page.items.count == 2)
            #expect(page.items[0].tokenName == "vera")
            #expect(page.items[0].role == .viewer)
            #expect(page.items[0].action == "POST /v1/deployments/{name}/{action}")
            #expect(page.items[0].target == "/v1/deployments/memos/stop")
            #expect(page.items[0].status == 403)
            #expect(page.items[0].errorCode == "forbidden")
            #expect(page.items[1].action == "DELETE /v1/devices/{name}")
            #expect(page.items[1].status == 404)
            let rest = try await client.execute(uri: "/v1/audit?before=\(try #require(page.next))", method: .get, headers: [.authorization: "Bearer \(admin)"]) { response in
                try WireCoding.decoder.decode(AuditPage.self, from: Data(response.body.readableBytesView))
            }
            #expect(rest.items.map(\.action) == Array(repeating: "POST /v1/tokens", count: 3), "reads are not audited")
            #expect(rest.items.allSatisfy { $0.tokenName == "admin" && $0.status == 201 })
            let failed = try await client.execute(uri: "/v1/audit?outcome=failed&action=devices", method: .get, headers: [.authorization: "Bearer \(admin)"]) { response in
                try WireCoding.decoder.decode(AuditPage.self, from: Data(response.body.readableBytesView))
            }
            #expect(failed.items.map(\.target) == ["/v1/devices/ghost"])
            #expect(try await Self.status(client, .get, "/v1/audit?limit=5000", admin) == .badRequest)
        }
        let feed = try await controller.context.store.read { db in try EventRecord.filter(Column("type") == "audit").fetchAll(db) }
        #expect(feed.count == 5)
        #expect(feed.contains { $0.message.contains("vera (viewer): POST /v1/deployments/memos/stop from ") })
    }

    @Test("the throttle: free failures, then doubling waits up to the cap, forgotten after a quiet spell, bounded in size")
    func throttleTable() {
        var settings = ThrottleTable.Settings()
        settings.maximumTracked = 3
        var table = ThrottleTable(settings: settings)
        let start = ContinuousClock.now
        for _ in 0..<4 { #expect(table.failed("a", now: start) == nil) }
        #expect(table.wait(for: "a", now: start) == nil)
        #expect(table.failed("a", now: start) == .seconds(1), "the fifth failure starts the first wait")
        #expect(table.failed("a", now: start) == .seconds(2))
        #expect(table.wait(for: "a", now: start + .milliseconds(500)) == .milliseconds(1500))
        for _ in 0..<30 { table.failed("a", now: start) }
        #expect(table.wait(for: "a", now: start) == .seconds(300), "capped")
        #expect(table.wait(for: "a", now: start + .seconds(901)) == nil, "forgotten after 15 quiet minutes")
        for address in ["b", "c", "d", "e"] { table.failed(address, now: start) }
        #expect(table.entries.count == 3)
    }
}
