import Foundation
import HTTPTypes
import Hummingbird
import Protocol

/// `/tokens`: API tokens (for people and scripts; they sign in here) and join tokens (for devices): create, with
/// the secret shown once to copy, list, revoke.
enum TokensPage {
    struct View: Sendable {
        var chrome: Chrome
        var apiTokens: [APIToken]
        var joinTokens: [JoinToken]
        /// A token just made, shown this once.
        var created: String?
        var createdKind: String?
        var installCommand: String?
        var error: String?
        var name: String
    }

    struct APIToken: Sendable {
        var id: String
        var name: String
        var role: String
        var created: TimeView
        var current: Bool
        /// A revoked or expired token, listed for the audit log's sake.
        var ended: String?
        /// The last working admin token cannot be revoked (nor one already revoked), so it gets no button.
        var revocable: Bool
    }

    struct JoinToken: Sendable {
        var id: String
        var kind: String
        var description: String
        var labels: String
        var uses: Int
        var expires: TimeView
        var state: String
        var active: Bool
    }

    static func add(_ on: (HTTPRequest.Method, String, @escaping WebRoutes.Handler) -> Void, web: WebContext) {
        on(.get, "/tokens") { request, _, session in
            web.page(try await view(web, session: session, notice: request.uri.queryParameters["notice"].flatMap { notices[String($0)] }), "tokens")
        }
        on(.post, "/tokens/api") { request, _, session in
            var request = request
            let form = FormBody(buffer: try await request.collectBody(upTo: 16 << 10))
            do {
                guard let role = APIRole(rawValue: form["role"] ?? "viewer") else {
                    throw HomelabError.invalidValue(InputBoundError(field: "role", message: "role is viewer, operator or admin"))
                }
                let created = try await web.controller.tokens.createAPIToken(CreateAPITokenRequest(name: form["name"] ?? "", role: role))
                var page = try await view(web, session: session, notice: "Made API token \(created.resource.name). Copy it now: it is not shown again.")
                page.created = created.token
                page.createdKind = "api"
                return web.page(page, "tokens", status: .created)
            } catch let error as HomelabError {
                var page = try await view(web, session: session, notice: nil)
                page.error = error.message
                page.name = form["name"] ?? ""
                return web.page(page, "tokens", status: .init(code: error.httpStatus))
            }
        }
        on(.post, "/tokens/api/{id}/revoke") { _, context, _ in
            try await web.controller.tokens.revokeAPIToken(id: context.parameters.require("id"))
            return WebPage.redirect(to: "/tokens?notice=revoked")
        }
        on(.post, "/tokens/join") { request, _, session in
            var request = request
            let form = FormBody(buffer: try await request.collectBody(upTo: 16 << 10))
            let hours = Int(form.trimmed("ttlHours") ?? "24") ?? 24
            guard (1...8760).contains(hours) else { throw HomelabError.badRequest("ttlHours: a lifetime of 1 to 8760 hours, not \(hours)") }
            let labels = try DevicePages.parseLabels(form["labels"] ?? "")
            let created = try await web.controller.tokens.createJoinToken(CreateTokenRequest(
                reusable: form["reusable"] == "on", ttlSeconds: hours * 3600, labels: labels, description: form.trimmed("description")))
            var page = try await view(web, session: session, notice: "Made join token \(created.resource.id). Copy it now: it is not shown again.")
            page.created = created.token
            page.createdKind = "join"
            page.installCommand = "sudo deploy/install-agent.sh --token \(created.token) --binary ./homelab-agent"
            return web.page(page, "tokens", status: .created)
        }
        on(.post, "/tokens/join/{id}/revoke") { _, context, _ in
            try await web.controller.tokens.revokeJoinToken(id: context.parameters.require("id"))
            return WebPage.redirect(to: "/tokens?notice=revoked")
        }
    }

    static let notices = ["revoked": "Revoked."]

    static func view(_ web: WebContext, session: WebSession, notice: String?, now: Date = Date()) async throws -> View {
        let api = try await web.controller.tokens.listAPITokens()
        let join = try await web.controller.tokens.listJoinTokens()
        func ended(_ token: APITokenResource) -> String? {
            if token.revokedAt != nil { return "revoked" }
            if let expires = token.expiresAt, expires <= now { return "expired" }
            return nil
        }
        let workingAdmins = api.filter { $0.role == .admin && ended($0) == nil }.count
        return View(chrome: Chrome(title: "Tokens", section: "/tokens", session: session, notice: notice),
                    apiTokens: api.map { token in
                        APIToken(id: token.id, name: token.name, role: token.role.rawValue, created: TimeView(token.createdAt, now: now),
                                 current: token.id == session.tokenID, ended: ended(token),
                                 revocable: ended(token) == nil && (token.role != .admin || workingAdmins > 1))
                    },
                    joinTokens: join.map { token in
                        let state = token.revoked ? "revoked" : token.expiresAt <= now ? "expired" : (!token.reusable && token.uses > 0) ? "used" : "active"
                        return JoinToken(id: token.id, kind: token.reusable ? "reusable" : "single-use", description: token.description ?? "—",
                                         labels: token.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", "),
                                         uses: token.uses, expires: TimeView(token.expiresAt, now: now), state: state, active: state == "active")
                    },
                    created: nil, createdKind: nil, installCommand: nil, error: nil, name: "")
    }
}
