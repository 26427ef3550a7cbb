import Foundation
import GRDB
import Hummingbird
import Protocol

/// `/`: the whole homelab at a glance: totals, devices with their health, what needs attention, what happened.
enum OverviewPage {
    struct View: Sendable {
        var chrome: Chrome
        var live: Live
    }

    /// The part that the page's script refreshes on every event.
    struct Live: Sendable {
        var stats: [Stat]
        var devices: [DeviceSummaryView]
        var attention: [Attention]
        var activity: [ActivityView]
        var hasDevices: Bool
        /// Whether the viewer may add devices (an administrator).
        var canAddDevices: Bool
    }

    /// One figure of the summary.
    struct Stat: Sendable {
        var label: String
        var value: String
        var detail: String
        var meter: MeterView?
    }

    /// Something a person should look at, with where to look.
    struct Attention: Sendable {
        var level: String
        var text: String
        var href: String
    }

    /// Most entries of "needs attention" listed one by one.
    static let attentionLimit = 12

    /// The data of the page.
    static func live(_ web: WebContext, canAddDevices: Bool, now: Date = Date()) async throws -> Live {
        let controller = web.controller
        let thresholds = controller.registry.thresholds
        let devices = try await controller.registry.list()
        let deployments = try await controller.deployments.list()
        let activity = try await ActivityFeed(store: controller.store).page(limit: 12)
        let enrolled = devices.filter { $0.status != .pending }
        let online = devices.filter { $0.status == .online }
        let availability = try await Self.availability(of: enrolled, store: controller.store, now: now)

        var stats: [Stat] = []
        let memory = online.compactMap(\.metrics?.memory)
        let memoryTotal = Double(memory.map(\.totalBytes).reduce(0, +)), memoryUsed = Double(memory.map(\.usedBytes).reduce(0, +))
        stats.append(Stat(label: "RAM", value: Format.bytes(memoryTotal), detail: "\(Format.bytes(memoryUsed)) used across \(memory.count) devices",
                          meter: MeterView(label: "RAM", used: memoryUsed, total: memoryTotal, thresholds: thresholds)))
        let disks = online.compactMap { $0.metrics?.filesystems }.map { Array(Dictionary($0.map { ($0.device, $0) }) { a, _ in a }.values) }.flatMap { $0 }
        let diskUsed = Double(disks.map(\.usedBytes).reduce(0, +)), diskFree = Double(disks.map(\.availableBytes).reduce(0, +))
        // Used against used + available, as `df`, each device's disk meter and the health judge it (root's reserve
        // left out): the headline is what the apps can have, so it is the sum of the two figures under it.
        stats.append(Stat(label: "Storage", value: Format.bytes(diskUsed + diskFree), detail: "\(Format.bytes(diskUsed)) used, \(Format.bytes(diskFree)) free",
                          meter: MeterView(label: "Storage", used: diskUsed, total: diskUsed + diskFree, thresholds: thresholds)))
        let cores = enrolled.compactMap { $0.facts?.cpu.cores }.reduce(0, +)
        let cpu = online.compactMap { $0.metrics?.cpu?.totalPercent }
        let cpuAverage = cpu.isEmpty ? 0 : cpu.reduce(0, +) / Double(cpu.count)
        stats.append(Stat(label: "CPU cores", value: "\(cores)", detail: "\(Format.percent(cpuAverage)) average use",
                          meter: MeterView(label: "CPU", percent: cpuAverage, detail: Format.percent(cpuAverage), thresholds: thresholds)))
        let offline = devices.filter { $0.status == .offline }.count, pending = devices.filter { $0.status == .pending }.count
        stats.append(Stat(label: "Devices", value: "\(online.count) online", detail: "\(offline) offline, \(pending) pending", meter: nil))
        let running = deployments.filter { $0.state == .running }.count
        let failed = deployments.filter { $0.state == .failed || $0.state == .rolledBack }.count
        stats.append(Stat(label: "Apps", value: "\(running) running", detail: "\(failed) failed, \(deployments.count - running - failed) other", meter: nil))
        let availabilities = enrolled.compactMap { availability[$0.id] }
        stats.append(Stat(label: "Average uptime", value: availabilities.isEmpty ? "—" : String(format: "%.1f %%", availabilities.reduce(0, +) / Double(availabilities.count) * 100),
                          detail: "last 30 days", meter: nil))
        let watts = online.compactMap { $0.facts?.profile?.watts }
        stats.append(Stat(label: "Power", value: watts.isEmpty ? "—" : "\(Int(watts.reduce(0, +).rounded())) W",
                          detail: "estimate from \(watts.count) of \(online.count) online devices", meter: nil))

        var attention: [Attention] = []
        for device in devices {
            let href = "/devices/\(WebPage.percentEncoded(device.name))"
            switch device.status {
            case .offline:
                attention.append(Attention(level: "red", text: "\(device.name) is offline" + (device.lastSeenAt.map { " (last seen \(Format.relative($0, now: now)))" } ?? ""), href: href))
            case .pending:
                attention.append(Attention(level: "yellow", text: "\(device.name) asks to join: approve it if its key is \(device.keyFingerprint)", href: href))
            case .online:
                for filesystem in device.metrics?.filesystems ?? [] {
                    guard let percent = filesystem.usedPercent else { continue }
                    let level = thresholds.level(of: percent)
                    if level == .yellow || level == .red {
                        attention.append(Attention(level: level.rawValue,
                                                   text: "\(device.name): \(filesystem.mountPoint) is \(Format.percent(percent)) full (\(Format.bytes(filesystem.availableBytes)) free)", href: href))
                    }
                }
            }
        }
        for deployment in deployments where deployment.state == .failed || deployment.state == .rolledBack {
            attention.append(Attention(level: "red", text: "\(deployment.name) \(deployment.state == .failed ? "failed" : "was rolled back"): \(deployment.error?.message ?? "no reason recorded")",
                                       href: "/apps/\(WebPage.percentEncoded(deployment.name))"))
        }
        // Worst first; past a dozen the rest is one line (a homelab whose switch died should not list 90 devices twice).
        attention.sort { ($0.level == "red" ? 0 : 1) < ($1.level == "red" ? 0 : 1) }
        if attention.count > Self.attentionLimit {
            let more = attention.count - Self.attentionLimit + 1
            attention = Array(attention.prefix(Self.attentionLimit - 1))
                + [Attention(level: "red", text: "… and \(more) more: see the devices and apps lists", href: "/devices")]
        }
        return Live(stats: stats, devices: devices.map { DeviceSummaryView($0, deployments: deployments, thresholds: thresholds, now: now) },
                    attention: attention, activity: activity.items.map { ActivityView($0, now: now) }, hasDevices: !devices.isEmpty,
                    canAddDevices: canAddDevices)
    }

    /// The share of the last 30 days each device was online, from its recorded online/offline events only.
    static func availability(of devices: [DeviceResource], store: Store, now: Date) async throws -> [String: Double] {
        let start = now.addingTimeInterval(-DeviceReliability.window)
        let kinds = [RegistryEvent.Kind.deviceOnline.rawValue, RegistryEvent.Kind.deviceOffline.rawValue]
        let events = try await store.read { db in
            try EventRecord.filter(kinds.contains(Column("type")) && Column("time") >= start).order(Column("time")).fetchAll(db)
        }
        var changes: [String: [(time: Date, online: Bool)]] = [:]
        for event in events { if let id = event.deviceID { changes[id, default: []].append((event.time, event.type == kinds[0])) } }
        var out: [String: Double] = [:]
        for device in devices {
            out[device.id] = changes[device.id].flatMap { DeviceReliability.availability(changes: $0, since: max(start, device.createdAt), now: now) }
        }
        return out
    }

    /// The drift part, loaded after the page: it asks every device, which can take a while.
    struct Drift: Sendable {
        var items: [Attention]
        var unreachable: String?
    }

    static func drift(_ web: WebContext) async throws -> Drift {
        let report = try await web.controller.deployments.driftReport()
        var items = report.deployments.flatMap { deployment in
            deployment.problems.map { Attention(level: "yellow", text: "\(deployment.deployment): \($0)", href: "/apps/\(WebPage.percentEncoded(deployment.deployment))") }
        }
        items += report.unknownStacks.map {
            Attention(level: "yellow", text: "\($0.device) runs \($0.project), which no deployment accounts for", href: "/devices/\(WebPage.percentEncoded($0.device))")
        }
        return Drift(items: items, unreachable: report.unreachable.isEmpty ? nil : report.unreachable.joined(separator: ", "))
    }
}

extension OverviewPage {
    /// `GET /`, and its parts `live` and `drift`.
    static func handle(_ web: WebContext, _ request: Request, _ session: WebSession) async throws -> Response {
        let canAdd = session.role.allows(.admin)
        return try await web.page(request, fragments: [
            "live": { (try await live(web, canAddDevices: canAdd), "overview-live") },
            "drift": { (try await drift(web), "overview-drift") },
        ]) {
            (View(chrome: Chrome(title: "Overview", section: "/", session: session), live: try await live(web, canAddDevices: canAdd)), "overview")
        }
    }
}
