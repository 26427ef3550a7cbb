import Foundation
import HTTPTypes
import Hummingbird
import Protocol

/// `/v1/devices/{name}/stacks…`: the stacks on one device, through its agent.
enum StackRoutes {
    typealias Add = (HTTPRequest.Method, String, Bool, @escaping @Sendable (Request, APIRoutes.Context) async throws -> Response) -> Void

    static func add(to add: Add, controller: ControllerContext) {
        let stacks = controller.stacks
        add(.get, "/v1/devices/{name}/stacks", false) { _, context in
            try JSONResponse.make(ListResponse(items: try await stacks.list(context.parameters.require("name"))))
        }
        add(.put, "/v1/devices/{name}/stacks/{project}", false) { request, context in
            let body = try await request.decode(as: StackApply.self, context: context.limited(to: 8 << 20))
            return try JSONResponse.make(try await stacks.apply(context.parameters.require("name"), project: context.parameters.require("project"), body))
        }
        add(.delete, "/v1/devices/{name}/stacks/{project}", false) { request, context in
            let volumes = try StackRoutes.flag(request.uri.queryParameters["volumes"], "volumes")
            let action = StackAction(stack: StackRef(project: try context.parameters.require("project")), verb: .remove, removeVolumes: volumes)
            try await stacks.perform(context.parameters.require("name"), action)
            return Response(status: .noContent)
        }
        add(.post, "/v1/devices/{name}/stacks/{project}/{action}", false) { request, context in
            let verb = try context.parameters.require("action")
            guard let action = StackAction.Verb(rawValue: verb), action != .remove else {
                throw HomelabError.notFound("no stack action \(verb): start, stop or restart")
            }
            let services = request.uri.queryParameters["service"].map { $0.split(separator: ",").map(String.init) }
            try await stacks.perform(context.parameters.require("name"),
                                     StackAction(stack: StackRef(project: try context.parameters.require("project"), services: services), verb: action))
            return Response(status: .noContent)
        }
        add(.get, "/v1/devices/{name}/stacks/{project}/stats", false) { request, context in
            let services = request.uri.queryParameters["service"].map { $0.split(separator: ",").map(String.init) }
            return try JSONResponse.make(try await stacks.stats(context.parameters.require("name"),
                                                                 StackRef(project: try context.parameters.require("project"), services: services)))
        }
        add(.get, "/v1/devices/{name}/stacks/{project}/logs", false) { request, context in
            let query = request.uri.queryParameters
            guard let service = query["service"].map(String.init) else { throw HomelabError.badRequest("logs need ?service=NAME") }
            let tail = try StackRoutes.tail(query["tail"].map(String.init))
            let body = try await stacks.logs(context.parameters.require("name"), project: context.parameters.require("project"),
                                             service: service, tail: tail, follow: try StackRoutes.flag(query["follow"], "follow"))
            return Response(status: .ok, headers: [.contentType: "application/x-ndjson"], body: body)
        }
    }

    /// A boolean query value: `true` or `false` (absent: false); anything else is refused, not read as false.
    static func flag(_ text: Substring?, _ name: String) throws -> Bool {
        switch text {
        case nil, "false": return false
        case "true": return true
        default: throw HomelabError.invalidValue(InputBoundError(field: name, message: "\(name) must be true or false"))
        }
    }

    /// A `tail` query value: a whole number of lines within ``InputBounds/logTail``, or absent.
    static func tail(_ text: String?) throws -> Int? {
        try InputBounds.logTail.parse(text)
    }
}
