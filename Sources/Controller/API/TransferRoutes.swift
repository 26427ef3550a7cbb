import Hummingbird
import Protocol

/// `/v1/transfers`: copies of volumes from one device to another, agent to agent (docs/migration.md).
enum TransferRoutes {
    static func add(to add: StackRoutes.Add, controller: ControllerContext) {
        add(.post, "/v1/transfers", false) { request, context in
            let body = try await request.decode(as: TransferRequest.self, context: context.limited(to: 64 << 10))
            return try JSONResponse.make(try await controller.transfers.start(body), status: .accepted)
        }
        add(.get, "/v1/transfers", false) { _, _ in
            try JSONResponse.make(ListResponse(items: await controller.transfers.list()))
        }
        add(.get, "/v1/transfers/{id}", false) { _, context in
            try JSONResponse.make(try await controller.transfers.get(context.parameters.require("id")))
        }
    }
}
