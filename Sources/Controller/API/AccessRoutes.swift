import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Protocol

/// `/v1/api-tokens` (tokens for people and programs, with a role) and `/v1/audit` (who changed what).
enum AccessRoutes {
    static func add(to add: StackRoutes.Add, controller: ControllerContext) {
        add(.get, "/v1/api-tokens", false) { _, _ in
            try JSONResponse.make(ListResponse(items: try await controller.tokens.listAPITokens()))
        }
        add(.post, "/v1/api-tokens", false) { request, context in
            let body = try await request.decode(as: CreateAPITokenRequest.self, context: context.limited(to: 16 << 10))
            return try JSONResponse.make(try await controller.tokens.createAPIToken(body), status: .created)
        }
        add(.delete, "/v1/api-tokens/{id}", false) { _, context in
            try await controller.tokens.revokeAPIToken(id: context.parameters.require("id"))
            return Response(status: .noContent)
        }
        add(.get, "/v1/audit", false) { request, _ in
            try JSONResponse.make(try await controller.audit.page(try query(request.uri.queryParameters)))
        }
    }

    /// The audit log's filters from the query string.
    static func query(_ parameters: FlatDictionary<Substring, Substring>) throws -> AuditLog.Query {
        var query = AuditLog.Query()
        query.limit = try InputBounds.pageLimit.parse(parameters["limit"].map(String.init)) ?? 100
        if let before = parameters["before"] {
            guard let id = Int64(before), id > 0 else { throw HomelabError.badRequest("before must be an entry id (a whole number above 0)") }
            query.before = id
        }
        query.tokenID = parameters["token"].map(String.init)
        query.action = parameters["action"].map(String.init)
        query.target = parameters["target"].map(String.init)
        if let outcome = parameters["outcome"] {
            switch outcome {
            case "failed": query.failed = true
            case "succeeded": query.failed = false
            default: throw HomelabError.badRequest("outcome must be failed or succeeded")
            }
        }
        if let since = parameters["since"] {
            guard let date = try? Date(String(since), strategy: .iso8601) else {
                throw HomelabError.badRequest("since must be an ISO 8601 time such as 2026-01-31T12:00:00Z")
            }
            query.since = date
        }
        return query
    }
}
