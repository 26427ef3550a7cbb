import Foundation
import Hummingbird
import Protocol

/// `GET /v1/insights`, `POST /v1/insights/{id}/start`, `GET /v1/health` and the pins of apps.
enum InsightRoutes {
    static func add(to add: StackRoutes.Add, controller: ControllerContext) {
        add(.get, "/v1/insights", false) { _, _ in
            let now = Date()
            return try JSONResponse.make(InsightsResponse(items: try await controller.insights.current(now: now), generatedAt: now))
        }
        add(.post, "/v1/insights/{id}/start", false) { _, context in
            try JSONResponse.make(try await controller.insights.start(context.parameters.require("id")), status: .accepted)
        }
        add(.get, "/v1/health", false) { _, _ in
            let devices = try await controller.registry.list().map { HealthReport.Device(device: $0.name, health: $0.health) }
            return try JSONResponse.make(HealthReport(thresholds: controller.registry.thresholds, devices: devices,
                                                      apps: try await controller.deployments.health()))
        }
        add(.get, "/v1/deployments/{name}/pin", false) { _, context in
            try JSONResponse.make(try await controller.deployments.isPinned(context.parameters.require("name")))
        }
        add(.put, "/v1/deployments/{name}/pin", false) { _, context in
            try JSONResponse.make(try await controller.deployments.pin(context.parameters.require("name"), true))
        }
        add(.delete, "/v1/deployments/{name}/pin", false) { _, context in
            try JSONResponse.make(try await controller.deployments.pin(context.parameters.require("name"), false))
        }
    }
}
