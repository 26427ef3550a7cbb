import Foundation
import Hummingbird
import Protocol

/// `/map`: the homelab drawn as the network on top, the devices in grouped boxes (sized by memory, coloured by
/// health), their apps inside, and the links between components on different devices. Boxes are laid out by
/// name in a grid, so an update never moves anything.
enum MapPage {
    /// What groups the boxes: a device label, or the kind of hardware.
    enum Grouping: String, CaseIterable, Sendable {
        case location, function, hardware
    }

    struct View: Sendable {
        var chrome: Chrome
        var groupings: [OptionView]
        var live: Live
    }


    struct Live: Sendable {
        var networks: String
        var groups: [Group]
        var links: [Link]
        var hasDevices: Bool
        /// Whether the viewer may add devices (an administrator).
        var canAddDevices: Bool
        var grouping: String
    }

    struct Group: Sendable {
        var name: String
        /// An element id made of the name.
        var id: String
        var devices: [DeviceSummaryView]
    }

    /// A component on one device that uses a component on another.
    struct Link: Sendable {
        var from: String
        var to: String
        var text: String
    }

    static func handle(_ web: WebContext, _ request: Request, _ session: WebSession) async throws -> Response {
        let text = request.uri.queryParameters["group"].map(String.init) ?? "location"
        guard let grouping = Grouping(rawValue: text) else {
            throw HomelabError.badRequest("group must be location, function or hardware, not \(text)")
        }
        let canAdd = session.role.allows(.admin)
        return try await web.page(request, fragments: ["live": { (try await live(web, grouping, canAddDevices: canAdd), "map-live") }]) {
            (View(chrome: Chrome(title: "Map", section: "/map", session: session),
                  groupings: Grouping.allCases.map { OptionView(value: $0.rawValue, label: $0.rawValue.capitalized, selected: $0 == grouping) },
                  live: try await live(web, grouping, canAddDevices: canAdd)), "map")
        }
    }

    static func live(_ web: WebContext, _ grouping: Grouping, canAddDevices: Bool, now: Date = Date()) async throws -> Live {
        let devices = try await web.controller.registry.list()
        let deployments = try await web.controller.deployments.list()
        let thresholds = web.controller.registry.thresholds
        var groups: [String: [DeviceSummaryView]] = [:]
        for device in devices {
            groups[group(of: device, by: grouping), default: []].append(DeviceSummaryView(device, deployments: deployments, thresholds: thresholds, now: now))
        }
        let names = groups.keys.sorted { ($0.hasPrefix("No ") ? 1 : 0, $0) < ($1.hasPrefix("No ") ? 1 : 0, $1) }
        let networks = Set(devices.compactMap { $0.address.flatMap(subnet) }).sorted()
        var links: [Link] = []
        for deployment in deployments {
            // Components start providers first: each later component on another device uses the earlier ones.
            for (index, consumer) in deployment.components.enumerated() {
                for provider in deployment.components.prefix(index) where provider.device != consumer.device {
                    links.append(Link(from: consumer.device, to: provider.device,
                                      text: "\(deployment.name): \(consumer.name) on \(consumer.device) uses \(provider.name) on \(provider.device)"))
                }
            }
        }
        return Live(networks: networks.isEmpty ? "No network known yet" : networks.joined(separator: " · "),
                    groups: names.enumerated().map { Group(name: $1, id: "group-\($0)", devices: groups[$1]!) }, links: links, hasDevices: !devices.isEmpty, canAddDevices: canAddDevices, grouping: grouping.rawValue)
    }

    /// The box a device goes in.
    static func group(of device: DeviceResource, by grouping: Grouping) -> String {
        switch grouping {
        case .location: device.labels["location"] ?? "No location"
        case .function: device.labels["function"] ?? "No function"
        case .hardware: hardware(of: device)
        }
    }

    /// Raspberry Pi, ARM, x86 or unknown, from the board model and the architecture.
    static func hardware(of device: DeviceResource) -> String {
        if let board = device.facts?.boardModel, board.contains("Raspberry Pi") { return "Raspberry Pi" }
        switch device.facts?.architecture {
        case "x86_64"?: return "x86"
        case let arch? where arch.hasPrefix("arm") || arch == "aarch64": return "ARM"
        default: return "No hardware facts"
        }
    }

    /// The /24 an IPv4 address is in (`198.18.0.0/24`); homelabs rarely run anything else.
    static func subnet(_ address: String) -> String? {
        let parts = address.split(separator: ".")
        guard parts.count == 4, parts.allSatisfy({ UInt8($0) != nil }) else { return nil }
        return "\(parts[0]).\(parts[1]).\(parts[2]).0/24"
    }
}
