import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import NIOCore
import Protocol

/// The HTTP API under `/v1`. Every route is registered through ``APIRoutes/add`` so the list of
/// routes is known: the OpenAPI test and the "every route needs a token" test iterate it.
public struct APIRoutes: Sendable {
    /// The request context of every route.
    public typealias Context = APIRequestContext
    /// One registered route.
    public struct Route: Hashable, Sendable, CustomStringConvertible {
        /// HTTP method.
        public let method: HTTPRequest.Method
        /// Path as OpenAPI writes it (`/v1/devices/{name}`).
        public let path: String
        /// Whether it is served without a token.
        public let isPublic: Bool
        /// A dashboard page (session cookie) rather than an API route (bearer token).
        public var isWeb = false
        public var description: String { "\(method) \(path)" }
    }

    let controller: ControllerContext

    /// Creates the routes over the controller's services.
    public init(controller: ControllerContext) { self.controller = controller }

    /// Builds the router with every route and the middleware every call passes: security headers, errors,
    /// 405 for a method a path does not serve, authentication (through the throttle), the audit log and the
    /// access table.
    public func makeRouter() -> (Router<Context>, [Route]) {
        let router = Router(context: Context.self)
        let routeList = RouteList()
        router.add(middleware: SecurityHeadersMiddleware())
        router.add(middleware: APIErrorMiddleware())
        router.add(middleware: MethodNotAllowedMiddleware(routes: routeList))
        router.add(middleware: BearerAuthMiddleware(tokens: controller.tokens, throttle: controller.throttle,
                                                    publicPaths: Set(AccessTable.routes.filter { $0.value == .public }.keys.map { String($0.split(separator: " ")[1]) })))
        router.add(middleware: WebMiddleware(sessions: SessionStore(store: controller.store), tokens: controller.tokens))
        router.add(middleware: AuditMiddleware(audit: controller.audit))
        router.add(middleware: AccessMiddleware())
        // The API's GET routes without the middleware, for dashboard pages that read a route in process
        // (the page's own route has checked the session and its role).
        let reads = Router(context: Context.self)
        var routes: [Route] = []
        func add(_ method: HTTPRequest.Method, _ path: String, isPublic: Bool = false,
                 _ handler: @escaping @Sendable (Request, Context) async throws -> Response) {
            let hbPath = path.replacingOccurrences(of: "{", with: ":").replacingOccurrences(of: "}", with: "")
            router.on(RouterPath(hbPath), method: method, use: handler)
            if method == .get { reads.on(RouterPath(hbPath), method: method, use: handler) }
            routes.append(Route(method: method, path: path, isPublic: isPublic))
        }
        let controller = self.controller

        add(.get, "/healthz", isPublic: true) { _, _ in try JSONResponse.make(["status": "ok"]) }
        add(.get, "/v1/controller") { _, _ in try JSONResponse.make(controller.info) }
        add(.get, "/v1/devices") { _, _ in
            try JSONResponse.make(ListResponse(items: try await controller.registry.list()))
        }
        add(.get, "/v1/devices/{name}") { _, context in
            try JSONResponse.make(try await controller.registry.get(context.parameters.require("name")))
        }
        add(.post, "/v1/devices/{name}/approve") { _, context in
            try JSONResponse.make(try await controller.registry.approve(context.parameters.require("name")))
        }
        add(.post, "/v1/devices/{name}/sample") { _, context in
            try JSONResponse.make(try await controller.registry.sampleNow(context.parameters.require("name")))
        }
        add(.delete, "/v1/devices/{name}") { _, context in
            try await controller.registry.remove(context.parameters.require("name"))
            return Response(status: .noContent)
        }
        StackRoutes.add(to: { add($0, $1, isPublic: $2, $3) }, controller: controller)
        RecipeRoutes.add(to: { add($0, $1, isPublic: $2, $3) }, controller: controller)
        SchedulingRoutes.add(to: { add($0, $1, isPublic: $2, $3) }, controller: controller)
        DeploymentRoutes.add(to: { add($0, $1, isPublic: $2, $3) }, controller: controller)
        BootstrapRoutes.add(to: { add($0, $1, isPublic: $2, $3) }, controller: controller)
        TransferRoutes.add(to: { add($0, $1, isPublic: $2, $3) }, controller: controller)
        JobRoutes.add(to: { add($0, $1, isPublic: $2, $3) }, controller: controller)
        DashboardAPIRoutes.add(to: { add($0, $1, isPublic: $2, $3) }, controller: controller)
        MetricsHistoryRoutes.add(to: { add($0, $1, isPublic: $2, $3) }, controller: controller)
        InsightRoutes.add(to: { add($0, $1, isPublic: $2, $3) }, controller: controller)
        AlertRoutes.add(to: { add($0, $1, isPublic: $2, $3) }, controller: controller)
        BackupRoutes.add(to: { add($0, $1, isPublic: $2, $3) }, controller: controller)
        add(.get, "/v1/agent-binaries") { _, _ in
            try JSONResponse.make(ListResponse(items: try controller.agentBinaries.list()))
        }
        add(.get, "/v1/agent-binaries/{arch}") { _, context in
            let (resource, contents) = try controller.agentBinaries.binary(for: context.parameters.require("arch"))
            var headers: HTTPFields = [.contentType: "application/octet-stream"]
            headers[HTTPField.Name("X-Checksum-SHA256")!] = resource.sha256
            headers[.contentDisposition] = "attachment; filename=\"\(resource.file)\""
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(data: contents)))
        }
        add(.get, "/v1/discovered") { _, _ in
            try JSONResponse.make(await controller.discovery.list(devices: try await controller.registry.list()))
        }
        add(.get, "/v1/tokens") { _, _ in
            try JSONResponse.make(ListResponse(items: try await controller.tokens.listJoinTokens()))
        }
        add(.post, "/v1/tokens") { request, context in
            let body = try await request.decode(as: CreateTokenRequest.self, context: context.limited(to: 64 << 10))
            return try JSONResponse.make(try await controller.tokens.createJoinToken(body), status: .created)
        }
        add(.delete, "/v1/tokens/{id}") { _, context in
            try await controller.tokens.revokeJoinToken(id: context.parameters.require("id"))
            return Response(status: .noContent)
        }
        AccessRoutes.add(to: { add($0, $1, isPublic: $2, $3) }, controller: controller)
        add(.get, "/v1/openapi.yaml") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/yaml"],
                     body: .init(byteBuffer: ByteBuffer(string: try OpenAPIDocument.text())))
        }
        add(.get, "/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                     body: .init(byteBuffer: ByteBuffer(string: await controller.metrics.render(registry: controller.registry, deployments: controller.deployments, jobs: controller.jobs))))
        }
        router.ws("/v1/events", shouldUpgrade: Self.webSocketOnly) { inbound, outbound, _ in
            try await EventStream.serve(hub: controller.events, inbound: inbound, outbound: outbound)
        }
        routes.append(Route(method: .get, path: "/v1/events", isPublic: false))
        router.ws("/v1/deployments/:name/logs/ws", shouldUpgrade: Self.webSocketOnly) { _, outbound, socket in
            try await LogSocket.serve(controller.deployments, name: socket.requestContext.parameters.get("name") ?? "",
                                      query: Dictionary(socket.request.uri.queryParameters.map { (String($0.key), String($0.value)) }) { first, _ in first },
                                      outbound: outbound, logger: socket.logger)
        }
        routes.append(Route(method: .get, path: "/v1/deployments/{name}/logs/ws", isPublic: false))
        WebRoutes(controller: controller, reader: APIReader(responder: reads.buildResponder())).add(to: router) { method, path, isPublic in
            routes.append(Route(method: method, path: path, isPublic: isPublic, isWeb: true))
        }
        routeList.set(routes)
        return (router, routes)
    }
}

extension APIRoutes {
    /// A WebSocket route asked for without `Upgrade: websocket` gets 426, not an empty 200.
    @Sendable static func webSocketOnly(_ request: Request, _ context: Context) throws -> RouterShouldUpgrade {
        guard request.headers[.upgrade]?.lowercased() == "websocket" else {
            throw HomelabError(.upgradeRequired, "this route is a WebSocket: connect with 'Upgrade: websocket'")
        }
        return .upgrade([:])
    }
}

/// JSON bodies in and out, with the wire coder (ISO 8601 dates) and clear decoding errors.
