import Foundation
import Hummingbird
import Protocol

/// `/v1/alerts…`: channels, rules, the alerts raised, and a test message.
enum AlertRoutes {
    static func add(to add: StackRoutes.Add, controller: ControllerContext) {
        let alerts = controller.alerts
        add(.get, "/v1/alerts", false) { request, _ in
            let stateText = request.uri.queryParameters["state"].map(String.init)
            let state = try stateText.map { text in
                guard let state = AlertState(rawValue: text) else { throw HomelabError.badRequest("state: firing or resolved, got '\(text)'") }
                return state
            }
            return try JSONResponse.make(ListResponse(items: try await alerts.alerts(state: state)))
        }
        add(.get, "/v1/alerts/channels", false) { _, _ in try JSONResponse.make(ListResponse(items: try await alerts.channels())) }
        add(.get, "/v1/alerts/channels/{name}", false) { _, context in try JSONResponse.make(try await alerts.channel(context.parameters.require("name"))) }
        add(.put, "/v1/alerts/channels/{name}", false) { request, context in
            let spec = try await request.decode(as: AlertChannelSpec.self, context: context)
            let (channel, created) = try await alerts.putChannel(context.parameters.require("name"), spec)
            return try JSONResponse.make(channel, status: created ? .created : .ok)
        }
        add(.delete, "/v1/alerts/channels/{name}", false) { _, context in
            try await alerts.deleteChannel(context.parameters.require("name"))
            return Response(status: .noContent)
        }
        add(.post, "/v1/alerts/channels/{name}/test", false) { _, context in try JSONResponse.make(try await alerts.test(context.parameters.require("name"))) }
        add(.get, "/v1/alerts/rules", false) { _, _ in try JSONResponse.make(ListResponse(items: try await alerts.rules())) }
        add(.put, "/v1/alerts/rules/{name}", false) { request, context in
            let spec = try await request.decode(as: AlertRuleSpec.self, context: context)
            let (rule, created) = try await alerts.putRule(context.parameters.require("name"), spec)
            return try JSONResponse.make(rule, status: created ? .created : .ok)
        }
        add(.delete, "/v1/alerts/rules/{name}", false) { _, context in
            try await alerts.deleteRule(context.parameters.require("name"))
            return Response(status: .noContent)
        }
    }
}
