import Foundation
import Hummingbird
import Protocol

/// `GET /v1/devices/{name}/metrics` and `GET /v1/deployments/{name}/metrics`: the history of a device or a deployment
/// at the finest resolution kept for the range asked (`?range=1h|24h|7d|30d|1y&series=cpu,memory,…`).
enum MetricsHistoryRoutes {
    static func add(to add: StackRoutes.Add, controller: ControllerContext) {
        let history = controller.registry.history
        add(.get, "/v1/devices/{name}/metrics", false) { request, context in
            let device = try await controller.registry.get(context.parameters.require("name"))
            let (range, names) = try query(request, allowed: MetricsSeriesName.allCases)
            let (resolution, series) = try await history.device(device.id, names: names, range: range)
            return try JSONResponse.make(MetricsHistoryResponse(device: device.name, range: range, resolution: resolution, series: series))
        }
        add(.get, "/v1/deployments/{name}/metrics", false) { request, context in
            let deployment = try await controller.deployments.get(context.parameters.require("name"))
            let (range, names) = try query(request, allowed: MetricsSeriesName.deploymentSeries)
            let (resolution, series) = try await history.deployment(deployment.id, names: names, range: range)
            return try JSONResponse.make(MetricsHistoryResponse(deployment: deployment.name, range: range, resolution: resolution, series: series))
        }
    }

    /// The `range` (default 24h) and `series` (default: every one `allowed`) of a request; a bad value is a 400 naming it.
    static func query(_ request: Request, allowed: [MetricsSeriesName]) throws -> (MetricsRange, [MetricsSeriesName]) {
        let query = request.uri.queryParameters
        let rangeText = query["range"].map(String.init) ?? MetricsRange.day.rawValue
        guard let range = MetricsRange(rawValue: rangeText) else {
            throw HomelabError.badRequest("range: '\(rangeText)' is not one of \(MetricsRange.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let list = query["series"].map(String.init), !list.isEmpty else { return (range, allowed) }
        var names: [MetricsSeriesName] = []
        for word in list.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            guard let name = MetricsSeriesName(rawValue: word) else {
                throw HomelabError.badRequest("series: '\(word)' is not one of \(MetricsSeriesName.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard allowed.contains(name) else {
                throw HomelabError.badRequest("series: a deployment has \(allowed.map(\.rawValue).joined(separator: ", ")); \(word) is kept per device")
            }
            if !names.contains(name) { names.append(name) }
        }
        return (range, names)
    }
}
