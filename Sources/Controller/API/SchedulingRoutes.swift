import Foundation
import Hummingbird
import Protocol
import Recipes
import Scheduler

/// `POST /v1/recommendations` (a catalog recipe or a recipe's text) and `GET /v1/snapshot`: the scheduler over the live homelab.
enum SchedulingRoutes {
    static func add(to add: StackRoutes.Add, controller: ControllerContext) {
        add(.get, "/v1/snapshot", false) { _, _ in
            try JSONResponse.make(try await controller.deployments.snapshot())
        }
        add(.post, "/v1/recommendations", false) { request, context in
            let body = try await request.decode(as: RecommendationRequest.self, context: context)
            let (recipe, _, _) = try controller.deployments.recipe(id: body.recipe, yaml: body.recipeYAML, file: body.recipeFile)
            guard (1...1000).contains(body.instances ?? 1) else { throw HomelabError.badRequest("instances must be 1-1000") }
            return try JSONResponse.make(controller.scheduler.plan(try await controller.deployments.snapshot(), body.placement(for: recipe)))
        }
    }
}
