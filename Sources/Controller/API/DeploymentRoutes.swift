import Foundation
import Hummingbird
import Protocol
import Recipes

/// `/v1/deployments…` and `/v1/drift`.
enum DeploymentRoutes {
    static func add(to add: StackRoutes.Add, controller: ControllerContext) {
        let deployments = controller.deployments
        add(.post, "/v1/deployments", false) { request, context in
            let body = try await request.decode(as: DeployRequest.self, context: context.limited(to: 2 << 20))
            return try JSONResponse.make(try await deployments.deploy(body), status: .accepted)
        }
        add(.get, "/v1/deployments", false) { request, _ in
            let query = request.uri.queryParameters
            if let state = query["state"], DeploymentState(rawValue: String(state)) == nil {
                throw HomelabError.badRequest("state must be one of \(DeploymentState.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            if let category = query["category"], RecipeCategory(rawValue: String(category)) == nil {
                throw HomelabError.badRequest("category must be one of \(RecipeCategory.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let items = try await deployments.list(device: query["device"].map(String.init), state: query["state"].map(String.init),
                                                   category: query["category"].map(String.init), recipe: query["recipe"].map(String.init),
                                                   group: query["group"].map(String.init))
            return try JSONResponse.make(ListResponse(items: items))
        }
        add(.get, "/v1/deployments/{name}", false) { _, context in
            try JSONResponse.make(try await deployments.detail(context.parameters.require("name")))
        }
        add(.delete, "/v1/deployments/{name}", false) { request, context in
            let data = request.uri.queryParameters["data"].map(String.init)
            guard let data, ["keep", "delete"].contains(data) else {
                throw HomelabError.badRequest("say what happens to the data: ?data=keep or ?data=delete (volumes are deleted for good)")
            }
            try await deployments.remove(context.parameters.require("name"), deleteData: data == "delete")
            return Response(status: .noContent)
        }
        add(.post, "/v1/deployments/{name}/migrations", false) { request, context in
            let body = try await request.decode(as: MigrationRequest.self, context: context.limited(to: 64 << 10))
            let name = try context.parameters.require("name")
            if body.dryRun == true { return try JSONResponse.make(try await deployments.planMigration(name, body)) }
            return try JSONResponse.make(try await deployments.migrate(name, body), status: .accepted)
        }
        add(.post, "/v1/deployments/{name}/{action}", false) { request, context in
            let verb = try context.parameters.require("action")
            guard let action = StackAction.Verb(rawValue: verb), action != .remove else {
                throw HomelabError.notFound("no deployment action \(verb): start, stop or restart")
            }
            let component = request.uri.queryParameters["component"].map(String.init)
            return try JSONResponse.make(try await deployments.perform(context.parameters.require("name"), action, component: component))
        }
        add(.get, "/v1/deployments/{name}/progress", false) { request, context in
            let after = try request.uri.queryParameters["after"].map { text -> Int64 in
                try Int64(InputBounds.progressAfter.parse(String(text)) ?? 0)
            } ?? 0
            let body = try await deployments.progress(context.parameters.require("name"), after: after)
            return Response(status: .ok, headers: [.contentType: "application/x-ndjson"], body: body)
        }
        add(.get, "/v1/deployments/{name}/logs", false) { request, context in
            let query = request.uri.queryParameters
            let tail = try StackRoutes.tail(query["tail"].map(String.init))
            let body = try await deployments.logs(context.parameters.require("name"), component: query["component"].map(String.init),
                                                  service: query["service"].map(String.init), tail: tail, follow: try StackRoutes.flag(query["follow"], "follow"))
            return Response(status: .ok, headers: [.contentType: "application/x-ndjson"], body: body)
        }
        add(.get, "/v1/drift", false) { _, _ in
            try JSONResponse.make(try await deployments.driftReport())
        }
    }
}
