import Foundation
import Hummingbird
import Protocol

/// `/v1/backups/…`: the backup targets and the recovery kit.
enum BackupRoutes {
    static func add(to add: StackRoutes.Add, controller: ControllerContext) {
        let targets = controller.backups.targets
        add(.get, "/v1/backups/targets", false) { _, _ in
            try JSONResponse.make(ListResponse(items: try await targets.list()))
        }
        add(.put, "/v1/backups/targets/{device}", false) { request, context in
            let body = try await request.decode(as: BackupTargetRequest.self, context: context)
            return try JSONResponse.make(try await targets.add(device: context.parameters.require("device"), body))
        }
        add(.delete, "/v1/backups/targets/{device}", false) { _, context in
            try await targets.remove(device: context.parameters.require("device"))
            return Response(status: .noContent)
        }
        add(.post, "/v1/backups/recovery-kit", false) { _, _ in
            var response = try JSONResponse.make(try await targets.recoveryKit())
            response.headers[.cacheControl] = "no-store"
            return response
        }
    }
}
