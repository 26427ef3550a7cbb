import Foundation
import HTTPTypes
import Hummingbird
import Protocol

/// `/devices…`: the list, a device's page (facts, live metrics, history charts, apps, labels), approve and remove.
enum DevicePages {
    struct ListView: Sendable {
        var chrome: Chrome
        var live: ListLive
    }

    struct ListLive: Sendable {
        var devices: [DeviceSummaryView]
        var pending: [DeviceSummaryView]
        var hasDevices: Bool
        /// Whether the viewer may add devices (an administrator): the empty state shows how, or who can.
        var canAddDevices: Bool
    }

    struct DeviceView: Sendable {
        var chrome: Chrome
        var name: String
        var path: String
        var live: DeviceLive
        var facts: [Fact]
        var labelsText: String
        var labelsError: String?
        var ranges: [Range]
        var charts: [ChartView]
        var chartsError: String?
    }

    struct DeviceLive: Sendable {
        var device: DeviceSummaryView
        var metrics: [Fact]
        var apps: [AppRow]
    }

    /// A name and a value of the facts table.
    struct Fact: Sendable {
        var name: String
        var value: String
    }

    /// A choice of history range.
    struct Range: Sendable {
        var value: String
        var href: String
        var current: Bool
    }

    /// An app on the device.
    struct AppRow: Sendable {
        var name: String
        var href: String
        var state: String
        var component: String
    }

    static func add(_ on: (HTTPRequest.Method, String, @escaping WebRoutes.Handler) -> Void, web: WebContext) {
        on(.get, "/devices") { request, _, session in
            let canAdd = session.role.allows(.admin)
            return try await web.page(request, fragments: ["live": { (try await list(web, canAddDevices: canAdd), "devices-live") }]) {
                (ListView(chrome: Chrome(title: "Devices", section: "/devices", session: session), live: try await list(web, canAddDevices: canAdd)), "devices")
            }
        }
        on(.get, "/devices/{name}") { request, context, session in
            let name = try context.parameters.require("name")
            return try await web.page(request, fragments: ["live": { (try await live(web, name), "device-live") }]) {
                (try await page(web, name: name, range: request.uri.queryParameters["range"].map(String.init), context: context, session: session,
                                notice: request.uri.queryParameters["notice"].map(String.init)), "device")
            }
        }
        on(.post, "/devices/{name}/approve") { _, context, _ in
            let device = try await web.controller.registry.approve(context.parameters.require("name"))
            return WebPage.redirect(to: "/devices/\(WebPage.percentEncoded(device.name))?notice=approved")
        }
        on(.post, "/devices/{name}/labels") { request, context, session in
            var request = request
            let name = try context.parameters.require("name")
            let text = FormBody(buffer: try await request.collectBody(upTo: 64 << 10))["labels"] ?? ""
            do {
                let device = try await web.controller.registry.setLabels(name, try parseLabels(text))
                return WebPage.redirect(to: "/devices/\(WebPage.percentEncoded(device.name))?notice=labels")
            } catch let error as HomelabError where error.code == "bad_request" {
                // The page again, with what was typed and what is wrong beside it.
                var view = try await page(web, name: name, range: nil, context: context, session: session, notice: nil)
                view.labelsText = text
                view.labelsError = error.message
                return web.page(view, "device", status: .badRequest)
            }
        }
        on(.post, "/devices/{name}/remove") { request, context, _ in
            var request = request
            let name = try context.parameters.require("name")
            guard FormBody(buffer: try await request.collectBody(upTo: 16 << 10))["confirm"] == name else {
                throw HomelabError.badRequest("To remove \(name), type its name in the box: nothing was removed.")
            }
            try await web.controller.registry.remove(name)
            return WebPage.redirect(to: "/devices?notice=removed")
        }
        BootstrapPages.add(on, web: web)
    }

    static func list(_ web: WebContext, canAddDevices: Bool, now: Date = Date()) async throws -> ListLive {
        let devices = try await web.controller.registry.list()
        let deployments = try await web.controller.deployments.list()
        let views = devices.map { DeviceSummaryView($0, deployments: deployments, thresholds: web.controller.registry.thresholds, now: now) }
        return ListLive(devices: views.filter { !$0.pending }, pending: views.filter(\.pending), hasDevices: !devices.isEmpty,
                        canAddDevices: canAddDevices)
    }

    static func live(_ web: WebContext, _ name: String, now: Date = Date()) async throws -> DeviceLive {
        let device = try await web.controller.registry.get(name)
        let deployments = try await web.controller.deployments.list()
        var metrics: [Fact] = []
        if let sample = device.metrics {
            if let load = sample.load { metrics.append(Fact(name: "Load", value: String(format: "%.2f %.2f %.2f", load.one, load.five, load.fifteen))) }
            if let uptime = sample.uptimeSeconds { metrics.append(Fact(name: "Up for", value: Format.duration(uptime))) }
            if let memory = sample.memory, memory.swapTotalBytes > 0 {
                metrics.append(Fact(name: "Swap", value: "\(Format.bytes(memory.swapUsedBytes)) of \(Format.bytes(memory.swapTotalBytes))"))
            }
            for filesystem in sample.filesystems ?? [] {
                metrics.append(Fact(name: "Disk \(filesystem.mountPoint)", value: "\(Format.bytes(filesystem.usedBytes)) of \(Format.bytes(filesystem.sizeBytes)) (\(Format.bytes(filesystem.availableBytes)) free)"))
            }
            for sensor in sample.temperatures ?? [] { metrics.append(Fact(name: sensor.sensor, value: "\(Int(sensor.celsius.rounded())) °C")) }
            if let docker = sample.docker {
                metrics.append(Fact(name: "Docker", value: "\(docker.version): \(docker.containersRunning) running, \(docker.containersStopped) stopped, \(docker.images) images"))
            }
        }
        let apps = deployments.flatMap { deployment in
            deployment.components.filter { $0.device == device.name }.map {
                AppRow(name: deployment.name, href: "/apps/\(WebPage.percentEncoded(deployment.name))", state: deployment.state.rawValue, component: $0.name)
            }
        }
        return DeviceLive(device: DeviceSummaryView(device, deployments: deployments, thresholds: web.controller.registry.thresholds, now: now),
                          metrics: metrics, apps: apps)
    }

    static func page(_ web: WebContext, name: String, range: String?, context: APIRequestContext, session: WebSession, notice: String?,
                     now: Date = Date()) async throws -> DeviceView {
        let device = try await web.controller.registry.get(name)
        let range = MetricsRange(rawValue: range ?? "1h") ?? .hour
        let facts = device.facts
        var rows = [Fact(name: "Status", value: device.status.rawValue.capitalized), Fact(name: "Address", value: device.address ?? "—"),
                    Fact(name: "Key", value: device.keyFingerprint)]
        if let facts {
            rows += [Fact(name: "Host name", value: facts.hostname), Fact(name: "System", value: facts.os?.prettyName ?? "—"),
                     Fact(name: "Kernel", value: facts.kernel ?? "—"), Fact(name: "Architecture", value: facts.architecture),
                     Fact(name: "Processor", value: "\(facts.cpu.model ?? "unknown") (\(facts.cpu.cores) cores)"),
                     Fact(name: "Memory", value: facts.memoryBytes.map { Format.bytes($0) } ?? "—"), Fact(name: "Board", value: facts.boardModel ?? "—"),
                     Fact(name: "Agent", value: facts.agentVersion)]
            if let profile = facts.profile {
                rows.append(Fact(name: "Simulated", value: "yes: a lab device" + (profile.watts.map { ", \(Int($0)) W" } ?? "")))
            }
        }
        var charts: [ChartView] = []
        var chartsError: String?
        let series = "cpu,memory,disk,temperature"
        do {
            let history = try await web.reader.get("/v1/devices/\(WebPage.percentEncoded(device.id))/metrics?range=\(range.rawValue)&series=\(series)",
                                                   as: MetricsHistoryResponse.self, context: context)
            charts = history.series.map { ChartView($0, range: range, device: device, now: now) }
        } catch {
            chartsError = (error as? HomelabError)?.message ?? "The history could not be read."
        }
        let path = "/devices/\(WebPage.percentEncoded(device.name))"
        return DeviceView(chrome: Chrome(title: device.name, section: "/devices", session: session, notice: notice.flatMap { notices[$0] }, charts: true),
                          name: device.name, path: path, live: try await live(web, name, now: now), facts: rows,
                          labelsText: device.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "\n"), labelsError: nil,
                          ranges: MetricsRange.allCases.map { Range(value: $0.rawValue, href: "\(path)?range=\($0.rawValue)#history", current: $0 == range) },
                          charts: charts, chartsError: chartsError)
    }

    static let notices = ["approved": "Approved: the device receives its certificate the next time it asks.", "labels": "Labels saved."]

    /// `key=value` lines (blank lines ignored) as labels; a line without `=` is named in the error.
    static func parseLabels(_ text: String) throws -> [String: String] {
        var labels: [String: String] = [:]
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty { continue }
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty else {
                throw HomelabError.badRequest("labels: line \(number + 1) ('\(line)') is not key=value")
            }
            labels[parts[0]] = parts[1]
        }
        return labels
    }
}
