import Foundation
import Hummingbird
import Protocol
import Recipes
import Scheduler

/// `POST /v1/recommendations` and `GET /v1/snapshot`: the scheduler over the live homelab.
enum SchedulingRoutes {
    static func add(to add: StackRoutes.Add, controller: ControllerContext) {
        add(.get, "/v1/snapshot", false) { _, _ in
            try JSONResponse.make(try await controller.deployments.snapshot())
        }
        add(.post, "/v1/recommendations", false) { request, _ in
            let body = try await JSONResponse.decode(RecommendationRequest.self, from: request)
            guard let (recipe, _) = controller.catalog.recipe(body.recipe) else {
                throw HomelabError.notFound("no recipe \(body.recipe) in the catalog")
            }
            guard (1...1000).contains(body.instances ?? 1) else { throw HomelabError.badRequest("instances must be 1-1000") }
            return try JSONResponse.make(controller.scheduler.plan(try await controller.deployments.snapshot(), body.placement(for: recipe)))
        }
    }
}
