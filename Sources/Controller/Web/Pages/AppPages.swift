import Foundation
import HTTPTypes
import Hummingbird
import Protocol
import Recipes

/// `/apps…`: every deployment across all devices with filters; an app's page with its state, live progress
/// while it deploys, containers, usage, drift, logs with follow, Open, start / stop / restart / remove, and
/// Move to… (a migration job, its steps shown as the page's progress), and its backups (``AppBackupsView``).
enum AppPages {
    struct ListView: Sendable {
        var chrome: Chrome
        var devices: [OptionView]
        var states: [OptionView]
        var categories: [OptionView]
        var live: ListLive
    }

    struct ListLive: Sendable {
        var apps: [Row]
        var none: Bool
        var filtered: Bool
    }

    struct Row: Sendable {
        var name: String
        var href: String
        var recipe: String
        var state: String
        var devices: String
        var url: String?
        var updated: TimeView
        var error: String?
    }

    struct AppView: Sendable {
        var chrome: Chrome
        var name: String
        var path: String
        var live: Live
    }

    /// The part the page's script refreshes on this deployment's events.
    struct Live: Sendable {
        var name: String
        var recipe: String
        var state: String
        var busy: Bool
        var failed: Bool
        var rolledBack: Bool
        var error: String?
        var url: String?
        var notes: String?
        var components: [Component]
        var containers: [Container]
        var drift: [String]
        var steps: [Step]
        var pull: Pull?
        var canStart: Bool
        var canStop: Bool
        /// Whether the session's role may start, stop and restart it (operator or admin).
        var operate: Bool
        /// Move to…: `auto` and every other device; the components to choose from when there are several.
        var moveTargets: [String]
        var moveComponents: [String]
        /// The app page's path and the session's CSRF secret, for the action forms in this part.
        var path: String
        var csrf: String
        /// The Backups panel, or why it cannot be read (the page shows the rest).
        var backups: AppBackupsView?
        var backupsProblem: String?
    }

    struct Component: Sendable {
        var name: String
        var device: String
        var deviceHref: String
        var project: String
        var ports: String
        var reason: String
        var unreachable: String?
    }

    struct Container: Sendable {
        var component: String
        var service: String
        var state: String
        var health: String?
        var cpu: String?
        var memory: String?
    }

    struct Step: Sendable {
        var state: String
        var message: String
        var time: TimeView
    }

    /// The pull bar: bytes so far of the total, while pulling.
    struct Pull: Sendable {
        var value: String
        var max: String
        var text: String
    }

    static func add(_ on: (HTTPRequest.Method, String, @escaping WebRoutes.Handler) -> Void, web: WebContext) {
        on(.get, "/apps") { request, _, session in
            let query = FormBody(text: request.uri.query ?? "")
            return try await web.page(request, fragments: ["live": { (try await list(web, query), "apps-live") }]) {
                let devices = try await web.controller.registry.list().map(\.name)
                func options(_ values: [String], _ key: String, _ all: String) -> [OptionView] {
                    [OptionView(value: "", label: all, selected: query.trimmed(key) == nil)]
                        + values.map { OptionView(value: $0, label: $0, selected: query[key] == $0) }
                }
                return (ListView(chrome: Chrome(title: "Apps", section: "/apps", session: session, notice: query["notice"].flatMap { notices[$0] }),
                                 devices: options(devices, "device", "Every device"),
                                 states: options(DeploymentState.allCases.map(\.rawValue), "state", "Every state"),
                                 categories: options(RecipeCategory.allCases.map(\.rawValue), "category", "Every category"),
                                 live: try await list(web, query)), "apps")
            }
        }
        on(.get, "/apps/{name}") { request, context, session in
            let name = try context.parameters.require("name")
            let query = request.uri.queryParameters
            return try await web.page(request, fragments: ["live": { (try await live(web, name, session: session), "app-live") }]) {
                (AppView(chrome: Chrome(title: name, section: "/apps", session: session, notice: query["notice"].flatMap { notices[String($0)] }),
                         name: name, path: "/apps/\(WebPage.percentEncoded(name))", live: try await live(web, name, session: session)), "app")
            }
        }
        on(.post, "/apps/{name}/remove") { request, context, _ in
            var request = request
            let name = try context.parameters.require("name")
            let data = FormBody(buffer: try await request.collectBody(upTo: 16 << 10))["data"]
            guard let data, ["keep", "delete"].contains(data) else {
                throw HomelabError.badRequest("Say what happens to \(name)'s data (keep the volumes, or delete them for good): nothing was removed.")
            }
            try await web.controller.deployments.remove(name, deleteData: data == "delete")
            return WebPage.redirect(to: "/apps?notice=removed")
        }
        on(.post, "/apps/{name}/migrate") { request, context, _ in
            var request = request
            let name = try context.parameters.require("name")
            let form = FormBody(buffer: try await request.collectBody(upTo: 16 << 10))
            guard let to = form.trimmed("to") else { throw HomelabError.badRequest("Choose where to move \(name) (a device, or auto): nothing was moved.") }
            _ = try await web.controller.deployments.migrate(name, MigrationRequest(to: to, component: form.trimmed("component")))
            return WebPage.redirect(to: "/apps/\(WebPage.percentEncoded(name))?notice=migrate")
        }
        let jobs = web.controller.backupJobs
        let backupActions: [(path: String, notice: String, start: @Sendable (String) async throws -> BackupAccepted)] = [
            ("backup", "backup", { try await jobs.backup($0, BackupNowRequest()) }),
            ("backup-check", "check", { try await jobs.check($0, BackupCheckRequest()) }),
        ]
        for action in backupActions {
            on(.post, "/apps/{name}/\(action.path)") { _, context, _ in
                let name = try context.parameters.require("name")
                _ = try await action.start(name)
                return WebPage.redirect(to: "/apps/\(WebPage.percentEncoded(name))?notice=\(action.notice)")
            }
        }
        on(.post, "/apps/{name}/restore") { request, context, _ in
            var request = request
            let name = try context.parameters.require("name")
            let form = FormBody(buffer: try await request.collectBody(upTo: 16 << 10))
            guard let run = form.trimmed("run") else { throw HomelabError.badRequest("Choose the backup run to restore \(name) from: nothing was restored.") }
            guard form["replace"] == "yes" else {
                throw HomelabError.badRequest("Confirm that \(name)'s current data is replaced by that of run \(run): nothing was restored.")
            }
            _ = try await web.controller.backupJobs.restore(name, RestoreRequest(snapshot: run))
            return WebPage.redirect(to: "/apps/\(WebPage.percentEncoded(name))?notice=restore")
        }
        on(.post, "/apps/{name}/{action}") { _, context, _ in
            let name = try context.parameters.require("name"), verb = try context.parameters.require("action")
            guard let action = StackAction.Verb(rawValue: verb), action != .remove else {
                throw HomelabError.notFound("There is no app action \(verb): start, stop or restart.")
            }
            _ = try await web.controller.deployments.perform(name, action)
            return WebPage.redirect(to: "/apps/\(WebPage.percentEncoded(name))?notice=\(verb)")
        }
    }

    static let notices = ["removed": "Removed.", "start": "Started.", "stop": "Stopped.", "restart": "Restarted.",
                          "migrate": "Moving: the steps follow below.", "backup": "Backing up: the steps follow under Backups.",
                          "check": "Checking the backups: the steps follow under Backups.", "restore": "Restoring: the steps follow under Backups."]

    static func list(_ web: WebContext, _ query: FormBody, now: Date = Date()) async throws -> ListLive {
        let apps = try await web.controller.deployments.list(device: query.trimmed("device"), state: query.trimmed("state"), category: query.trimmed("category"))
        return ListLive(apps: apps.map { app in
            Row(name: app.name, href: "/apps/\(WebPage.percentEncoded(app.name))", recipe: "\(app.recipe) \(app.recipeVersion)", state: app.state.rawValue,
                devices: app.devices.replacingOccurrences(of: ",", with: ", "), url: app.state == .running ? app.url : nil, updated: TimeView(app.updatedAt, now: now),
                error: app.error.map { "\($0.message) [\($0.code)]" })
        }, none: apps.isEmpty, filtered: ["device", "state", "category"].contains { query.trimmed($0) != nil })
    }

    static func live(_ web: WebContext, _ name: String, session: WebSession, now: Date = Date()) async throws -> Live {
        let detail = try await web.controller.deployments.detail(name)
        let app = detail.deployment
        var containers: [Container] = []
        for live in detail.live {
            for container in live.containers {
                let stats = live.stats?.services[container.service]
                containers.append(Container(component: live.component, service: container.service, state: container.state.rawValue, health: container.health?.rawValue,
                                            cpu: stats.map { Format.percent($0.cpuPercent) },
                                            memory: stats.map { Format.bytes($0.memoryBytes) + ($0.memoryLimitBytes > 0 ? " of \(Format.bytes($0.memoryLimitBytes))" : "") }))
            }
        }
        let here = Set(app.components.map(\.device))
        let others = try await web.controller.registry.list().filter { $0.status != .pending && (app.components.count > 1 || !here.contains($0.name)) }
        let lastPull = detail.steps.last.flatMap { $0.state == .pulling ? $0 : nil }
        let pull = lastPull.flatMap { step -> Pull? in
            guard let current = step.current, let total = step.total, total > 0 else { return nil }
            return Pull(value: String(current), max: String(total), text: "\(Format.bytes(current)) of \(Format.bytes(total))")
        }
        var backups: AppBackupsView?, backupsProblem: String?
        do {
            backups = try await AppBackupsView.make(web, app, session: session, now: now)
        } catch {
            backupsProblem = HomelabError.shown(error, logger: web.controller.deployments.parts.logger).message
        }
        return Live(name: app.name, recipe: "\(app.recipe) \(app.recipeVersion)", state: app.state.rawValue, busy: app.state.isInProgress,
                    failed: app.state == .failed, rolledBack: app.state == .rolledBack, error: app.error.map { "\($0.message) [\($0.code)]" },
                    url: app.state == .running ? app.url : nil, notes: app.state == .running ? detail.notes : nil,
                    components: app.components.map { component in
                        Component(name: component.name, device: component.device, deviceHref: "/devices/\(WebPage.percentEncoded(component.device))",
                                  project: component.project, ports: component.published.isEmpty ? "none" : component.published.joined(separator: ", "),
                                  reason: component.reason, unreachable: detail.live.first { $0.component == component.name }?.unreachable)
                    },
                    containers: containers, drift: detail.drift,
                    steps: detail.steps.suffix(30).map { Step(state: $0.state.rawValue, message: $0.message, time: TimeView($0.time, now: now)) },
                    pull: pull, canStart: app.state == .stopped, canStop: app.state == .running,
                    operate: session.role.allows(.operator),
                    moveTargets: ["auto"] + others.map(\.name).sorted(), moveComponents: app.components.count > 1 ? app.components.map(\.name) : [],
                    path: "/apps/\(WebPage.percentEncoded(app.name))", csrf: session.csrf,
                    backups: backups, backupsProblem: backupsProblem)
    }
}
