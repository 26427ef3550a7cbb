import Foundation
import Hummingbird
import Protocol

/// Network scans, SSH bootstraps and the known hosts: `/v1/scans`, `/v1/candidates`, `/v1/bootstraps`,
/// `/v1/devices/{name}/uninstall`, `/v1/known-hosts`.
enum BootstrapRoutes {
    static func add(to add: StackRoutes.Add, controller: ControllerContext) {
        add(.post, "/v1/scans", false) { request, context in
            let body = try await request.decode(as: ScanRequest.self, context: context)
            return try JSONResponse.make(try await controller.scans.start(body), status: .accepted)
        }
        add(.get, "/v1/scans", false) { _, _ in
            try JSONResponse.make(ListResponse(items: await controller.scans.list()))
        }
        add(.get, "/v1/scans/{id}", false) { _, context in
            try JSONResponse.make(try await controller.scans.get(context.parameters.require("id")))
        }
        add(.delete, "/v1/scans/{id}", false) { _, context in
            try JSONResponse.make(try await controller.scans.cancel(context.parameters.require("id")))
        }
        add(.get, "/v1/candidates", false) { _, _ in
            try JSONResponse.make(ListResponse(items: try await controller.scans.candidates()))
        }
        add(.post, "/v1/bootstraps", false) { request, context in
            let body = try await request.decode(as: BootstrapRequest.self, context: context.limited(to: 64 << 10))
            return try JSONResponse.make(try await controller.bootstrap.install(body), status: .accepted)
        }
        add(.get, "/v1/bootstraps/{id}", false) { _, context in
            try JSONResponse.make(try await controller.bootstrap.get(context.parameters.require("id")))
        }
        add(.post, "/v1/devices/{name}/uninstall", false) { request, context in
            let body = try await request.decode(as: UninstallRequest.self, context: context.limited(to: 64 << 10))
            return try JSONResponse.make(try await controller.bootstrap.uninstall(device: context.parameters.require("name"), body), status: .accepted)
        }
        add(.get, "/v1/known-hosts", false) { _, _ in
            try JSONResponse.make(ListResponse(items: try await controller.bootstrap.hosts.list()))
        }
        add(.delete, "/v1/known-hosts/{host}", false) { _, context in
            try await controller.bootstrap.hosts.remove(host: context.parameters.require("host"))
            return Response(status: .noContent)
        }
    }
}
