import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Protocol

/// Every dashboard route: pages, their form posts, the WebSockets of live parts, the assets. They are added
/// to the API's router (and its route table) on the same port, behind `WebMiddleware`.
struct WebRoutes: Sendable {
    /// A page handler, called with the signed-in session.
    typealias Handler = @Sendable (Request, APIRequestContext, WebSession) async throws -> Response

    let web: WebContext

    /// Routes over the controller's services; `reader` reads API routes in process.
    init(controller: ControllerContext, reader: APIReader) {
        web = WebContext(controller: controller, reader: reader, sessions: SessionStore(store: controller.store), templates: .shared)
    }

    /// Adds every route to `router`, telling `record` each method, path and whether it is public.
    func add(to router: Router<APIRequestContext>, record: (HTTPRequest.Method, String, Bool) -> Void) {
        func on(_ method: HTTPRequest.Method, _ path: String, _ handler: @escaping Handler) {
            let hbPath = path.replacingOccurrences(of: "{", with: ":").replacingOccurrences(of: "}", with: "")
            router.on(RouterPath(hbPath), method: method) { request, context in
                // WebMiddleware put the session there for every non-public path.
                guard let session = context.session else { throw HomelabError.unauthorized("sign in first") }
                return try await handler(request, context, session)
            }
            record(method, path, false)
        }
        let web = self.web
        router.get("/login") { request, _ in LoginPage.form(web, request: request) }
        router.post("/login") { request, context in try await LoginPage.signIn(web, request: request, context: context) }
        record(.get, "/login", true)
        record(.post, "/login", true)
        router.get("/assets/**") { _, context in try Assets.response(for: context.parameters.getCatchAll().joined(separator: "/")) }
        record(.get, "/assets/**", true)
        on(.post, "/logout") { request, _, _ in try await LoginPage.signOut(web, request: request) }

        on(.get, "/") { request, _, session in try await OverviewPage.handle(web, request, session) }
        on(.get, "/map") { request, _, session in try await MapPage.handle(web, request, session) }
        DevicePages.add(on, web: web)
        CatalogPages.add(on, web: web)
        AppPages.add(on, web: web)
        TokensPage.add(on, web: web)

        router.ws("/ui/events", shouldUpgrade: { request, context in
            try Self.checkSocket(request, context)
            return .upgrade([:])
        }) { inbound, outbound, _ in
            try await EventStream.serve(hub: web.controller.events, inbound: inbound, outbound: outbound)
        }
        record(.get, "/ui/events", false)
        router.ws("/ui/apps/:name/logs", shouldUpgrade: { request, context in
            try Self.checkSocket(request, context)
            return .upgrade([:])
        }) { _, outbound, socket in
            try await LogSocket.serve(web.controller.deployments, name: socket.requestContext.parameters.get("name") ?? "",
                                      query: Dictionary(socket.request.uri.queryParameters.map { (String($0.key), String($0.value)) }) { first, _ in first },
                                      outbound: outbound, logger: socket.logger)
        }
        record(.get, "/ui/apps/{name}/logs", false)
    }

    /// A WebSocket of the dashboard needs a session and must come from a page of this origin.
    static func checkSocket(_ request: Request, _ context: APIRequestContext) throws {
        guard context.session != nil else { throw HomelabError(.sessionExpired, "Your session has ended: sign in again.") }
        guard let origin = request.headers[.origin], let host = request.head.authority,
              origin == "https://\(host)" || origin == "http://\(host)" else {
            throw HomelabError(.csrfOrigin, "Refused: the WebSocket was opened from another site.")
        }
    }
}
