@testable import Controller
import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Protocol
import Testing

/// The probe's findings that show through the router (issue 14's table), each kept fixed.
@Suite("Hardening: what the probe found, through the API")
struct HardeningRouteTests {
    static func makeApp(limits: ListenerLimits = ListenerLimits(), logger: Logger? = nil)
        async throws -> (ControllerApp, Application<RouterResponder<APIRoutes.Context>>, URL) {
        let dir = try temporaryDirectory()
        var config = ControllerConfig(stateDirectory: dir)
        config.discovery.network.enabled = false
        config.apiPort = 0
        config.agentPort = 0
        config.limits = limits
        let controller = try await ControllerApp.open(config: config, logger: logger ?? Logger(label: "test"))
        let (router, _) = APIRoutes(controller: controller.context).makeRouter()
        return (controller, Application(router: router), dir)
    }

    static func error(_ response: TestResponse) throws -> HomelabError {
        try WireCoding.decoder.decode(APIErrorResponse.self, from: Data(response.body.readableBytesView)).error
    }

    @Test("row 1: stack names with '..', an encoded '..' or a slash are refused with invalid_name before any device is asked")
    func stackTraversalRefused() async throws {
        let (controller, app, dir) = try await Self.makeApp()
        defer { try? FileManager.default.removeItem(at: dir) }
        let auth: HTTPFields = [.authorization: "Bearer \(try #require(controller.newAdminToken))"]
        try await app.test(.router) { client in
            for project in ["..", "%2E%2E", ".", "a%2Fb", "UPPER"] {
                for (method, path) in [(HTTPRequest.Method.delete, ""), (.post, "/stop"), (.post, "/start"), (.get, "/stats"), (.get, "/logs?service=web")] {
                    try await client.execute(uri: "/v1/devices/pi/stacks/\(project)\(path)", method: method, headers: auth) { response in
                        #expect(response.status == .badRequest, "\(method) \(project)\(path)")
                        #expect((try? Self.error(response))?.code == "invalid_name", "\(method) \(project)\(path)")
                    }
                }
            }
            try await client.execute(uri: "/v1/devices/pi/stacks/app/stop?service=..", method: .post, headers: auth) { response in
                #expect((try? Self.error(response))?.code == "invalid_name")
            }
        }
    }

    @Test("row 2: a stack spec whose x-homelab-files keys climb out is refused as invalid_spec naming the key")
    func filesTraversalRefused() async throws {
        let (controller, app, dir) = try await Self.makeApp()
        defer { try? FileManager.default.removeItem(at: dir) }
        let auth: HTTPFields = [.authorization: "Bearer \(try #require(controller.newAdminToken))", .contentType: "application/json"]
        let body = #"{"spec":{"name":"app","services":{"web":{"image":"busybox"}},"x-homelab-files":{"../../../somewhere/pwned.txt":"x"}}}"#
        try await app.test(.router) { client in
            try await client.execute(uri: "/v1/devices/pi/stacks/app", method: .put, headers: auth, body: ByteBuffer(string: body)) { response in
                #expect(response.status == .unprocessableContent)
                let error = try Self.error(response)
                #expect(error.code == "invalid_spec")
                #expect(error.message.contains("x-homelab-files.../../../somewhere/pwned.txt"))
            }
        }
    }

    @Test("row 5: a join token's lifetime is bounded, the token list keeps working, and out-of-range numbers say which field")
    func ttlBounded() async throws {
        let (controller, app, dir) = try await Self.makeApp()
        defer { try? FileManager.default.removeItem(at: dir) }
        let auth: HTTPFields = [.authorization: "Bearer \(try #require(controller.newAdminToken))", .contentType: "application/json"]
        try await app.test(.router) { client in
            try await client.execute(uri: "/v1/tokens", method: .post, headers: auth, body: ByteBuffer(string: #"{"reusable":true,"labels":{},"ttlSeconds":315360000000}"#)) { response in
                #expect(response.status == .badRequest)
                let error = try Self.error(response)
                #expect(error.code == "invalid_value")
                #expect(error.message == "ttlSeconds must be between 1 and 31536000 seconds, got 315360000000")
            }
            try await client.execute(uri: "/v1/tokens", method: .get, headers: auth) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/v1/devices/pi/stacks/app/logs?service=web&tail=99999999999999999999", method: .get, headers: auth) { response in
                #expect((try? Self.error(response))?.code == "invalid_value")
            }
        }
    }

    @Test("row 5: a join token stored with an expiry past year 9999 is repaired by the migration, and listing works again")
    func outOfRangeExpiryRepaired() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("controller.sqlite").path
        let queue = try DatabaseQueue(path: path)
        try Store.migrator.migrate(queue, upTo: "v3: scan candidates, SSH known hosts, bootstrap targets")
        try await queue.write { db in
            try db.execute(sql: """
                INSERT INTO joinToken (id, secretHash, reusable, labels, createdAt, expiresAt, uses, revoked)
                VALUES ('abc', 'x', 1, '{}', '2026-01-01 00:00:00.000', '12020-01-01 00:00:00.000', 0, 0)
                """)
        }
        try queue.close()
        let store = try Store(path: path)
        let tokens = try await TokenService(store: store, caFingerprint: "").listJoinTokens()
        #expect(tokens.map(\.id) == ["abc"])
        #expect(tokens.first?.expiresAt == Date(timeIntervalSince1970: 1_767_225_600 + 365 * 86_400))
    }

    @Test("row 6: after five wrong tokens from one address the sixth gets 429 with Retry-After, a valid token too, and the refusals are logged without token text")
    func wrongTokensThrottled() async throws {
        let capture = LogCapture()
        var limits = ListenerLimits()
        limits.authThrottle.firstDelay = .seconds(60)  // long enough that a slow machine's pauses do not end it
        let (controller, app, dir) = try await Self.makeApp(limits: limits, logger: capture.logger())
        defer { try? FileManager.default.removeItem(at: dir) }
        let admin = try #require(controller.newAdminToken)
        try await app.test(.router) { client in
            for attempt in 1...6 {
                try await client.execute(uri: "/v1/devices", method: .get, headers: [.authorization: "Bearer HLA1.0000.wrong-secret-\(attempt)"]) { response in
                    #expect(response.status == (attempt <= 5 ? .unauthorized : .tooManyRequests), "attempt \(attempt)")
                    if attempt == 6 {
                        #expect(response.headers[.retryAfter].flatMap { Int($0) }.map { (1...60).contains($0) } == true)
                        #expect((try? Self.error(response))?.code == "too_many_attempts")
                    }
                }
            }
            try await client.execute(uri: "/v1/devices", method: .get, headers: [.authorization: "Bearer \(admin)"]) { response in
                #expect(response.status == .tooManyRequests, "no token is checked while the address waits")
            }
        }
        #expect(capture.text.contains("refused an API credential from unknown"))
        #expect(!capture.text.contains("wrong-secret"), "no token text in the log")
    }

    @Test("row 10: every answer has HSTS and nosniff, and the 201 with a new token is not cacheable")
    func securityHeaders() async throws {
        let (controller, app, dir) = try await Self.makeApp()
        defer { try? FileManager.default.removeItem(at: dir) }
        let auth: HTTPFields = [.authorization: "Bearer \(try #require(controller.newAdminToken))", .contentType: "application/json"]
        try await app.test(.router) { client in
            for (uri, method, body) in [("/v1/tokens", HTTPRequest.Method.post, #"{"reusable":false,"labels":{}}"#), ("/v1/devices/ghost", .get, ""), ("/healthz", .get, "")] {
                try await client.execute(uri: uri, method: method, headers: auth, body: ByteBuffer(string: body)) { response in
                    #expect(response.headers[.strictTransportSecurity] == "max-age=31536000", "\(uri)")
                    #expect(response.headers[.xContentTypeOptions] == "nosniff", "\(uri)")
                    #expect(response.headers[.cacheControl] == "no-store", "\(uri)")
                }
            }
        }
    }

    @Test("row 11: the bearer scheme is case-insensitive")
    func bearerAnyCase() async throws {
        let (controller, app, dir) = try await Self.makeApp()
        defer { try? FileManager.default.removeItem(at: dir) }
        let admin = try #require(controller.newAdminToken)
        try await app.test(.router) { client in
            for scheme in ["bearer", "BEARER", "Bearer"] {
                try await client.execute(uri: "/v1/devices", method: .get, headers: [.authorization: "\(scheme) \(admin)"]) { response in
                    #expect(response.status == .ok, "\(scheme)")
                }
            }
        }
    }

    @Test("row 12: an unknown method on a known path is 405 with Allow; booleans and enums in queries are checked, not guessed")
    func methodsAndQueries() async throws {
        let (controller, app, dir) = try await Self.makeApp()
        defer { try? FileManager.default.removeItem(at: dir) }
        let auth: HTTPFields = [.authorization: "Bearer \(try #require(controller.newAdminToken))"]
        try await app.test(.router) { client in
            try await client.execute(uri: "/v1/devices", method: .init("TRACE")!, headers: auth) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == "GET, HEAD")
                #expect((try? Self.error(response))?.code == "method_not_allowed")
            }
            try await client.execute(uri: "/v1/nothing-here", method: .init("TRACE")!, headers: auth) { response in
                #expect(response.status == .notFound)
            }
            try await client.execute(uri: "/v1/devices/pi/stacks/app/logs?service=web&follow=1e308", method: .get, headers: auth) { response in
                #expect((try? Self.error(response))?.code == "invalid_value")
            }
            try await client.execute(uri: "/v1/deployments?state=AAA", method: .get, headers: auth) { response in
                #expect(response.status == .badRequest)
            }
        }
    }

    @Test("row 7: a body over the route's limit is 413 with an error body, whether announced or streamed")
    func bodyTooLarge() async throws {
        let (controller, app, dir) = try await Self.makeApp()
        defer { try? FileManager.default.removeItem(at: dir) }
        let auth: HTTPFields = [.authorization: "Bearer \(try #require(controller.newAdminToken))", .contentType: "application/json"]
        try await app.test(.router) { client in
            let big = ByteBuffer(repeating: UInt8(ascii: " "), count: 9 << 20)
            try await client.execute(uri: "/v1/devices/pi/stacks/app", method: .put, headers: auth, body: big) { response in
                #expect(response.status == .contentTooLarge)
                #expect((try? Self.error(response))?.code == "payload_too_large")
            }
            try await client.execute(uri: "/v1/tokens", method: .post, headers: auth, body: ByteBuffer(repeating: UInt8(ascii: " "), count: 100 << 10)) { response in
                #expect(response.status == .contentTooLarge)
            }
        }
    }
}
