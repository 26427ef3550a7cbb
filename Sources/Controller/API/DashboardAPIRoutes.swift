import Foundation
import Hummingbird
import Protocol

/// The API routes the dashboard needed that did not exist: the activity feed, a device's labels, and API tokens
/// for people (`/v1/activity`, `PATCH /v1/devices/{name}`, `/v1/api-tokens`).
enum DashboardAPIRoutes {
    static func add(to add: StackRoutes.Add, controller: ControllerContext) {
        add(.get, "/v1/activity", false) { request, _ in
            let query = request.uri.queryParameters
            let limit = try query["limit"].map { text -> Int in
                guard let value = Int(text) else { throw ControllerError.badRequest("limit must be a whole number, got '\(text)'") }
                return value
            } ?? 50
            let before = try query["before"].map { text -> Int64 in
                guard let value = Int64(text), value > 0 else { throw ControllerError.badRequest("before must be an entry id, got '\(text)'") }
                return value
            }
            return try JSONResponse.make(try await ActivityFeed(store: controller.store).page(before: before, limit: limit))
        }
        add(.patch, "/v1/devices/{name}", false) { request, context in
            let body = try await JSONResponse.decode(DeviceUpdate.self, from: request, limit: 64 << 10)
            guard let labels = body.labels else { throw ControllerError.badRequest("nothing to change: send labels") }
            return try JSONResponse.make(try await controller.registry.setLabels(context.parameters.require("name"), labels))
        }
        add(.get, "/v1/api-tokens", false) { _, _ in
            try JSONResponse.make(ListResponse(items: try await controller.tokens.listAPITokens()))
        }
        add(.post, "/v1/api-tokens", false) { request, _ in
            let body = try await JSONResponse.decode(CreateAPITokenRequest.self, from: request)
            var response = try JSONResponse.make(try await controller.tokens.createAPIToken(body), status: .created)
            response.headers[.cacheControl] = "no-store"
            return response
        }
        add(.delete, "/v1/api-tokens/{id}", false) { _, context in
            try await controller.tokens.revokeAPIToken(id: context.parameters.require("id"))
            return Response(status: .noContent)
        }
    }
}
