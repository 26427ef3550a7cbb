import Foundation
import Hummingbird
import Protocol
import Recipes
import Scheduler

/// `POST /v1/recommendations` and `GET /v1/snapshot`: the scheduler over the live homelab.
enum SchedulingRoutes {
    static func add(to add: StackRoutes.Add, controller: ControllerContext) {
        add(.get, "/v1/snapshot", false) { _, _ in
            try JSONResponse.make(try await snapshot(controller))
        }
        add(.post, "/v1/recommendations", false) { request, _ in
            let body = try await JSONResponse.decode(RecommendationRequest.self, from: request)
            guard let (recipe, _) = controller.catalog.recipe(body.recipe) else {
                throw ControllerError.notFound("no recipe \(body.recipe) in the catalog")
            }
            guard (1...1000).contains(body.instances ?? 1) else { throw ControllerError.badRequest("instances must be 1-1000") }
            return try JSONResponse.make(controller.scheduler.plan(try await snapshot(controller), body.placement(for: recipe)))
        }
    }

    /// Every enrolled device as the scheduler sees it now (pending devices are not candidates), with
    /// what the controller observed of its reliability.
    static func snapshot(_ controller: ControllerContext) async throws -> ClusterSnapshot {
        let now = Date()
        let devices = try await controller.registry.list().filter { $0.status != .pending }
        let reliability = try await controller.registry.reliability(of: devices, now: now)
        return ClusterSnapshot(takenAt: now, devices: devices.map { device in
            var state = DeviceState(device)
            state.availability = reliability[device.id]?.availability
            state.observedDays = reliability[device.id]?.observedDays
            state.reboots = reliability[device.id]?.reboots
            return state
        })
    }
}
