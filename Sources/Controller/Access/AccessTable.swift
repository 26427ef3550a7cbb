import Protocol

/// The least role each route needs: the one place that says who may call what. A new route adds one line;
/// a route without a line is refused for everyone (403), never allowed, and a test checks that every
/// route the router has is here. Paths are written as the OpenAPI document writes them.
enum AccessTable {
    /// Who may call a route.
    enum Access: Sendable, Equatable {
        /// Anyone, without a token.
        case `public`
        /// A token of at least this role.
        case role(APIRole)
    }

    static let routes: [String: Access] = [
        "GET /healthz": .public,
        "GET /metrics": .role(.viewer),
        "GET /v1/openapi.yaml": .role(.viewer),
        "GET /v1/controller": .role(.viewer),
        "GET /v1/events": .role(.viewer),
        // Devices
        "GET /v1/devices": .role(.viewer),
        "GET /v1/devices/{name}": .role(.viewer),
        "POST /v1/devices/{name}/approve": .role(.admin),
        "POST /v1/devices/{name}/sample": .role(.operator),
        "DELETE /v1/devices/{name}": .role(.admin),
        "GET /v1/discovered": .role(.viewer),
        "GET /v1/agent-binaries": .role(.viewer),
        "GET /v1/agent-binaries/{arch}": .role(.viewer),
        // Stacks on a device
        "GET /v1/devices/{name}/stacks": .role(.viewer),
        "PUT /v1/devices/{name}/stacks/{project}": .role(.operator),
        "DELETE /v1/devices/{name}/stacks/{project}": .role(.operator),
        "POST /v1/devices/{name}/stacks/{project}/{action}": .role(.operator),
        "GET /v1/devices/{name}/stacks/{project}/stats": .role(.viewer),
        "GET /v1/devices/{name}/stacks/{project}/logs": .role(.viewer),
        // Catalog and placement (render and recommendations compute, they change nothing)
        "GET /v1/recipes": .role(.viewer),
        "GET /v1/recipes/{id}": .role(.viewer),
        "POST /v1/recipes/{id}/render": .role(.viewer),
        "GET /v1/catalog": .role(.viewer),
        "GET /v1/snapshot": .role(.viewer),
        "POST /v1/recommendations": .role(.viewer),
        // Deployments
        "POST /v1/deployments": .role(.operator),
        "GET /v1/deployments": .role(.viewer),
        "GET /v1/deployments/{name}": .role(.viewer),
        "DELETE /v1/deployments/{name}": .role(.operator),
        "POST /v1/deployments/{name}/{action}": .role(.operator),
        "POST /v1/deployments/{name}/migrations": .role(.operator),
        "GET /v1/deployments/{name}/progress": .role(.viewer),
        "GET /v1/deployments/{name}/logs": .role(.viewer),
        "GET /v1/deployments/{name}/logs/ws": .role(.viewer),
        "GET /v1/drift": .role(.viewer),
        // Jobs: every long operation and how it ended
        "GET /v1/jobs": .role(.viewer),
        "GET /v1/jobs/{id}": .role(.viewer),
        // Volume transfers between devices (an operator's deploys can mount any volume already)
        "POST /v1/transfers": .role(.operator),
        "GET /v1/transfers": .role(.viewer),
        "GET /v1/transfers/{id}": .role(.viewer),
        // Scans and SSH bootstrap: they reach into the network and install software as root
        "POST /v1/scans": .role(.admin),
        "GET /v1/scans": .role(.viewer),
        "GET /v1/scans/{id}": .role(.viewer),
        "DELETE /v1/scans/{id}": .role(.admin),
        "GET /v1/candidates": .role(.viewer),
        "POST /v1/bootstraps": .role(.admin),
        "GET /v1/bootstraps/{id}": .role(.viewer),
        "POST /v1/devices/{name}/uninstall": .role(.admin),
        "GET /v1/known-hosts": .role(.viewer),
        "DELETE /v1/known-hosts/{host}": .role(.admin),
        // History, health, insights and alerts (channels hold secrets and reach outside: admin)
        "GET /v1/devices/{name}/metrics": .role(.viewer),
        "GET /v1/deployments/{name}/metrics": .role(.viewer),
        "GET /v1/health": .role(.viewer),
        "GET /v1/insights": .role(.viewer),
        "POST /v1/insights/{id}/start": .role(.operator),
        "GET /v1/deployments/{name}/pin": .role(.viewer),
        "PUT /v1/deployments/{name}/pin": .role(.operator),
        "DELETE /v1/deployments/{name}/pin": .role(.operator),
        "GET /v1/alerts": .role(.viewer),
        "GET /v1/alerts/channels": .role(.viewer),
        "GET /v1/alerts/channels/{name}": .role(.viewer),
        "PUT /v1/alerts/channels/{name}": .role(.admin),
        "DELETE /v1/alerts/channels/{name}": .role(.admin),
        "POST /v1/alerts/channels/{name}/test": .role(.operator),
        "GET /v1/alerts/rules": .role(.viewer),
        "PUT /v1/alerts/rules/{name}": .role(.operator),
        "DELETE /v1/alerts/rules/{name}": .role(.operator),
        // Backup targets; the recovery kit holds every repository's password
        "GET /v1/backups/targets": .role(.viewer),
        "PUT /v1/backups/targets/{device}": .role(.admin),
        "DELETE /v1/backups/targets/{device}": .role(.admin),
        "POST /v1/backups/recovery-kit": .role(.admin),
        // An app's backups: running one is an operator's, reading them a viewer's
        "POST /v1/deployments/{name}/backups": .role(.operator),
        "GET /v1/deployments/{name}/backups": .role(.viewer),
        "GET /v1/deployments/{name}/backups/progress": .role(.viewer),
        "POST /v1/deployments/{name}/restores": .role(.operator),
        "POST /v1/deployments/{name}/backups/check": .role(.operator),
        "GET /v1/deployments/{name}/backup-policy": .role(.viewer),
        "PUT /v1/deployments/{name}/backup-policy": .role(.operator),
        // Tokens and the audit log
        "GET /v1/tokens": .role(.admin),
        "POST /v1/tokens": .role(.admin),
        "DELETE /v1/tokens/{id}": .role(.admin),
        "GET /v1/api-tokens": .role(.admin),
        "POST /v1/api-tokens": .role(.admin),
        "DELETE /v1/api-tokens/{id}": .role(.admin),
        "GET /v1/audit": .role(.admin),
        // What the dashboard needed
        "GET /v1/activity": .role(.viewer),
        "PATCH /v1/devices/{name}": .role(.operator),
        // The dashboard: its pages read (viewer); its forms need the role of the API call they stand for.
        "GET /login": .public,
        "POST /login": .public,
        "GET /assets/**": .public,
        "POST /logout": .role(.viewer),
        "GET /": .role(.viewer),
        "GET /map": .role(.viewer),
        "GET /ui/events": .role(.viewer),
        "GET /devices": .role(.viewer),
        "GET /devices/{name}": .role(.viewer),
        "POST /devices/{name}/approve": .role(.admin),
        "POST /devices/{name}/labels": .role(.operator),
        "POST /devices/{name}/remove": .role(.admin),
        "GET /devices/add": .role(.admin),
        "POST /devices/add": .role(.admin),
        "POST /devices/scan": .role(.admin),
        "GET /bootstraps/{id}": .role(.viewer),
        "GET /catalog": .role(.viewer),
        "GET /catalog/{id}": .role(.viewer),
        "GET /deploy/{id}": .role(.viewer),
        "POST /deploy/{id}": .role(.operator),
        "GET /apps": .role(.viewer),
        "GET /apps/{name}": .role(.viewer),
        "POST /apps/{name}/{action}": .role(.operator),
        "POST /apps/{name}/remove": .role(.operator),
        "POST /apps/{name}/migrate": .role(.operator),
        "POST /apps/{name}/backup": .role(.operator),
        "POST /apps/{name}/backup-check": .role(.operator),
        "POST /apps/{name}/restore": .role(.operator),
        "GET /ui/apps/{name}/logs": .role(.viewer),
        "GET /tokens": .role(.admin),
        "POST /tokens/api": .role(.admin),
        "POST /tokens/api/{id}/revoke": .role(.admin),
        "POST /tokens/join": .role(.admin),
        "POST /tokens/join/{id}/revoke": .role(.admin),
    ]

    /// The access of `method` on a route written as OpenAPI writes it; nil when the route has no line.
    static func access(method: String, path: String) -> Access? {
        routes["\(method) \(path)"]
    }

    /// A Hummingbird route path (`/v1/devices/:name`) written as the OpenAPI document writes it (`/v1/devices/{name}`).
    static func openAPIPath(_ routerPath: String) -> String {
        routerPath.split(separator: "/", omittingEmptySubsequences: false)
            .map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }
            .joined(separator: "/")
    }
}
