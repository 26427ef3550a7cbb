import Foundation
import Hummingbird
import Protocol

/// `/v1/backups/…`: the backup targets and the recovery kit; `/v1/deployments/{name}/backups`: an app's
/// backup runs, and backup jobs.
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
        let backupJobs = controller.backupJobs
        add(.post, "/v1/deployments/{name}/backups", false) { request, context in
            let body = try await request.decode(as: BackupNowRequest.self, context: context.limited(to: 64 << 10))
            return try JSONResponse.make(try await backupJobs.backup(context.parameters.require("name"), body), status: .accepted)
        }
        add(.post, "/v1/deployments/{name}/backups/check", false) { request, context in
            let body = try await request.decode(as: BackupCheckRequest.self, context: context.limited(to: 64 << 10))
            return try JSONResponse.make(try await backupJobs.check(context.parameters.require("name"), body), status: .accepted)
        }
        add(.get, "/v1/deployments/{name}/backups", false) { request, context in
            let runs = try await backupJobs.runs(context.parameters.require("name"), target: request.uri.queryParameters["target"].map(String.init))
            return try JSONResponse.make(ListResponse(items: runs))
        }
        add(.post, "/v1/deployments/{name}/restores", false) { request, context in
            let body = try await request.decode(as: RestoreRequest.self, context: context.limited(to: 64 << 10))
            return try JSONResponse.make(try await backupJobs.restore(context.parameters.require("name"), body), status: .accepted)
        }
        add(.get, "/v1/deployments/{name}/backup-policy", false) { _, context in
            try JSONResponse.make(try await backupJobs.policy(context.parameters.require("name")))
        }
        add(.put, "/v1/deployments/{name}/backup-policy", false) { request, context in
            let body = try await request.decode(as: BackupPolicySpec.self, context: context.limited(to: 64 << 10))
            return try JSONResponse.make(try await backupJobs.setPolicy(context.parameters.require("name"), body))
        }
        add(.get, "/v1/deployments/{name}/backups/progress", false) { request, context in
            let query = request.uri.queryParameters
            let after = try query["after"].map { text -> Int64 in try Int64(InputBounds.progressAfter.parse(String(text)) ?? 0) } ?? 0
            let body = try await backupJobs.progress(context.parameters.require("name"), job: query["job"].map(String.init), after: after)
            return Response(status: .ok, headers: [.contentType: "application/x-ndjson"], body: body)
        }
        add(.post, "/v1/backups/recovery-kit", false) { _, _ in
            var response = try JSONResponse.make(try await targets.recoveryKit())
            response.headers[.cacheControl] = "no-store"
            return response
        }
    }
}
