import Foundation
import Hummingbird
import Protocol

/// The API routes the dashboard needed that did not exist: the activity feed and a device's labels
/// (`/v1/activity`, `PATCH /v1/devices/{name}`).
enum DashboardAPIRoutes {
    static func add(to add: StackRoutes.Add, controller: ControllerContext) {
        add(.get, "/v1/activity", false) { request, _ in
            let query = request.uri.queryParameters
            let limit = try InputBounds.pageLimit.parse(query["limit"].map(String.init)) ?? 50
            let before = try query["before"].map { text -> Int64 in
                guard let value = Int64(text), value > 0 else { throw HomelabError.badRequest("before must be an entry id, got '\(text)'") }
                return value
            }
            return try JSONResponse.make(try await ActivityFeed(store: controller.store).page(before: before, limit: limit))
        }
        add(.patch, "/v1/devices/{name}", false) { request, context in
            let body = try await request.decode(as: DeviceUpdate.self, context: context.limited(to: 64 << 10))
            guard let labels = body.labels else { throw HomelabError.badRequest("nothing to change: send labels") }
            return try JSONResponse.make(try await controller.registry.setLabels(context.parameters.require("name"), labels))
        }
    }
}
