import Controller
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Protocol
import Testing
import Yams

@Suite("HTTP API")
struct APITests {
    /// A controller context over a temporary state directory, and the router built from it.
    static func makeApp() async throws -> (ControllerApp, Application<RouterResponder<APIRoutes.Context>>, [APIRoutes.Route], URL) {
        let dir = try temporaryDirectory()
        var config = ControllerConfig(stateDirectory: dir)
        config.discovery.network.enabled = false  // never multicast outside the lab
        config.apiPort = 0
        config.agentPort = 0
        // One test sends a wrong token to every route from one address; the throttle has tests of its own.
        config.limits.authThrottle.freeFailures = 10_000
        let controller = try await ControllerApp.open(config: config)
        let (router, routes) = APIRoutes(controller: controller.context).makeRouter()
        return (controller, Application(router: router), routes, dir)
    }

    static func concretePath(_ path: String) -> String {
        path.replacingOccurrences(of: "{name}", with: "some-device").replacingOccurrences(of: "{id}", with: "abc")
            .replacingOccurrences(of: "{arch}", with: "arm64").replacingOccurrences(of: "{project}", with: "app")
            .replacingOccurrences(of: "{action}", with: "restart")
    }

    @Test("every route except /healthz refuses a missing or wrong token with 401")
    func everyRouteNeedsAToken() async throws {
        let (_, app, routes, dir) = try await Self.makeApp()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(routes.count >= 10)
        try await app.test(.router) { client in
            for route in routes where !route.isWeb {
                let uri = Self.concretePath(route.path)
                for authorization in [nil, "Bearer HLA1.0000.1111", "Basic YWRtaW46YWRtaW4=", "Bearer "] as [String?] {
                    var headers = HTTPFields()
                    if let authorization { headers[.authorization] = authorization }
                    try await client.execute(uri: uri, method: route.method, headers: headers) { response in
                        if route.isPublic {
                            #expect(response.status == .ok, "\(route) is public")
                        } else {
                            #expect(response.status == .unauthorized, "\(route) with \(authorization ?? "no header")")
                            let body = try WireCoding.decoder.decode(APIErrorResponse.self, from: Data(response.body.readableBytesView))
                            #expect(body.error.code == "unauthorized")
                        }
                    }
                }
            }
        }
    }

    @Test("agent binaries are listed with size and checksum and served per architecture; a missing one is a clear 404")
    func agentBinaries() async throws {
        let (controller, app, _, dir) = try await Self.makeApp()
        defer { try? FileManager.default.removeItem(at: dir) }
        let admin = try #require(controller.newAdminToken)
        let auth: HTTPFields = [.authorization: "Bearer \(admin)"]
        let folder = dir.appendingPathComponent("agent-binaries")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let arm = Data((0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        try arm.write(to: folder.appendingPathComponent("homelab-agent-linux-arm64"))
        try Data("checksum file, not a binary".utf8).write(to: folder.appendingPathComponent("homelab-agent-linux-arm64.sha256"))
        try Data("stray".utf8).write(to: folder.appendingPathComponent("notes.txt"))
        let expected = SHA256Hex.of(arm)
        try await app.test(.router) { client in
            try await client.execute(uri: "/v1/agent-binaries", method: .get, headers: auth) { response in
                #expect(response.status == .ok)
                let list = try WireCoding.decoder.decode(ListResponse<AgentBinaryResource>.self, from: Data(response.body.readableBytesView))
                #expect(list.items == [AgentBinaryResource(architecture: "arm64", file: "homelab-agent-linux-arm64", sizeBytes: 100_000, sha256: expected)])
            }
            for name in ["arm64", "aarch64"] {
                try await client.execute(uri: "/v1/agent-binaries/\(name)", method: .get, headers: auth) { response in
                    #expect(response.status == .ok)
                    #expect(Data(response.body.readableBytesView) == arm)
                    #expect(response.headers[HTTPField.Name("X-Checksum-SHA256")!] == expected)
                }
            }
            try await client.execute(uri: "/v1/agent-binaries/amd64", method: .get, headers: auth) { response in
                #expect(response.status == .notFound)
                let body = try WireCoding.decoder.decode(APIErrorResponse.self, from: Data(response.body.readableBytesView))
                #expect(body.error.message.contains("no agent binary for amd64 in \(folder.path)"))
            }
            try await client.execute(uri: "/v1/agent-binaries/sparc", method: .get, headers: auth) { response in
                #expect(response.status == .badRequest)
            }
        }
    }

    @Test("the admin token opens the API; tokens are created, listed and revoked")
    func adminTokenWorks() async throws {
        let (controller, app, _, dir) = try await Self.makeApp()
        defer { try? FileManager.default.removeItem(at: dir) }
        let admin = try #require(controller.newAdminToken)
        let auth: HTTPFields = [.authorization: "Bearer \(admin)", .contentType: "application/json"]
        try await app.test(.router) { client in
            let created = try await client.execute(uri: "/v1/tokens", method: .post, headers: auth,
                                                    body: ByteBuffer(string: #"{"reusable":true,"ttlSeconds":600,"labels":{"site":"home"}}"#)) { response in
                #expect(response.status == .created)
                return try WireCoding.decoder.decode(CreatedToken.self, from: Data(response.body.readableBytesView))
            }
            let parsed = try JoinToken(parsing: created.token)
            #expect(parsed.caHash == controller.context.authority.fingerprint)
            #expect(created.resource.labels == ["site": "home"])
            try await client.execute(uri: "/v1/tokens", method: .get, headers: auth) { response in
                let list = try WireCoding.decoder.decode(ListResponse<TokenResource>.self, from: Data(response.body.readableBytesView))
                #expect(list.items.map(\.id) == [parsed.id])
                #expect(!String(buffer: response.body).contains(parsed.secret), "the secret is never listed")
            }
            try await client.execute(uri: "/v1/tokens/\(parsed.id)", method: .delete, headers: auth) { response in
                #expect(response.status == .noContent)
            }
            try await client.execute(uri: "/v1/tokens/\(parsed.id)", method: .get, headers: auth) { response in
                #expect(response.status == .notFound || response.status == .methodNotAllowed)
            }
            try await client.execute(uri: "/v1/tokens/nope", method: .delete, headers: auth) { response in
                #expect(response.status == .notFound)
            }
            try await client.execute(uri: "/v1/devices/ghost", method: .get, headers: auth) { response in
                #expect(response.status == .notFound)
                let body = try WireCoding.decoder.decode(APIErrorResponse.self, from: Data(response.body.readableBytesView))
                #expect(body.error.message == "no device named 'ghost'")
            }
            try await client.execute(uri: "/v1/tokens", method: .post, headers: auth, body: ByteBuffer(string: #"{"reusable":"yes"}"#)) { response in
                #expect(response.status == .badRequest)
                let body = try WireCoding.decoder.decode(APIErrorResponse.self, from: Data(response.body.readableBytesView))
                #expect(body.error.message.contains("reusable"))
            }
            try await client.execute(uri: "/metrics", method: .get, headers: auth) { response in
                #expect(String(buffer: response.body).contains("homelab_devices{status=\"online\"} 0"))
            }
        }
        let tokens = try await controller.context.tokens.listJoinTokens()
        #expect(tokens.first?.revoked == true)
    }

    @Test("the OpenAPI document parses and lists exactly the routes the router has")
    func openAPIMatchesRouter() async throws {
        let (controller, app, routes, dir) = try await Self.makeApp()
        defer { try? FileManager.default.removeItem(at: dir) }
        let admin = try #require(controller.newAdminToken)
        let text = try await app.test(.router) { client in
            try await client.execute(uri: "/v1/openapi.yaml", method: .get, headers: [.authorization: "Bearer \(admin)"]) { response in
                #expect(response.status == .ok)
                return String(buffer: response.body)
            }
        }
        let document = try #require(try Yams.load(yaml: text) as? [String: Any])
        #expect(document["openapi"] as? String == "3.1.0")
        let paths = try #require(document["paths"] as? [String: Any])
        var documented: Set<String> = []
        for (path, item) in paths {
            for key in (item as? [String: Any] ?? [:]).keys where ["get", "post", "put", "patch", "delete"].contains(key) {
                documented.insert("\(key.uppercased()) \(path)")
            }
        }
        let routed = Set(routes.filter { !$0.isWeb }.map { "\($0.method.rawValue) \($0.path)" })
        #expect(documented == routed)
    }
}

/// SHA-256 as lowercase hex, computed independently of the controller's code.
enum SHA256Hex {
    static func of(_ data: Data) -> String {
        SHA256.hash(data: data).map { byte in
            let digits = Array("0123456789abcdef")
            return String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
        }.joined()
    }
}
