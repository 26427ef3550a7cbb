import Foundation
import Protocol

/// `homelab apps list`: one line per deployment.
public struct DeploymentTable: Sendable {
    public var deployments: [DeploymentResource]
    public var now: Date
    public var style: Style

    public init(deployments: [DeploymentResource], now: Date, style: Style = Style(colorEnabled: false)) {
        self.deployments = deployments
        self.now = now
        self.style = style
    }

    public static let headers = ["NAME", "RECIPE", "VERSION", "STATE", "DEVICES", "URL", "UPDATED"]

    public func render() -> String {
        Table(headers: Self.headers, rows: deployments.map { deployment in
            [deployment.name, deployment.recipe, deployment.recipeVersion, style.state(deployment.state), deployment.devices,
             deployment.url ?? "-", Units.ago(deployment.updatedAt, now: now)]
        }).render()
    }
}

/// `homelab apps show NAME`.
public struct DeploymentDetailView: Sendable {
    public var detail: DeploymentDetail
    public var now: Date
    public var style: Style

    public init(detail: DeploymentDetail, now: Date, style: Style = Style(colorEnabled: false)) {
        self.detail = detail
        self.now = now
        self.style = style
    }

    public func render() -> String {
        let deployment = detail.deployment
        var sections = Sections()
        var fields: [(String, String)] = [
            ("Name", deployment.name), ("Recipe", "\(deployment.recipe) \(deployment.recipeVersion)"), ("State", style.state(deployment.state)),
            ("URL", deployment.url ?? "-"), ("Exposed", deployment.exposed ? "yes" : "no"),
            ("Created", Units.ago(deployment.createdAt, now: now)), ("Updated", Units.ago(deployment.updatedAt, now: now)),
        ]
        if let error = deployment.error { fields.append(("Error", "\(error.message) [\(error.code)]")) }
        sections.add("Deployment", .fields(fields))
        sections.add("Components", .table(Table(headers: ["COMPONENT", "DEVICE", "STACK", "PORTS", "WHY THERE"], rows: deployment.components.map {
            [$0.name, $0.device, $0.project, $0.published.isEmpty ? "-" : $0.published.joined(separator: ","), $0.reason]
        })))
        var rows: [[String]] = []
        for live in detail.live {
            if let unreachable = live.unreachable {
                rows.append([live.component, "-", "-", "-", "-", "-", unreachable])
                continue
            }
            for container in live.containers {
                let stats = live.stats?.services[container.service]
                rows.append([live.component, container.service, container.state.rawValue, container.health?.rawValue ?? "-",
                             stats.map { Units.percent($0.cpuPercent) } ?? "-", stats.map { Units.bytes(UInt64(max(0, $0.memoryBytes))) } ?? "-",
                             container.name])
            }
        }
        sections.add("Containers", .table(Table(headers: ["COMPONENT", "SERVICE", "STATE", "HEALTH", "CPU", "MEM", "CONTAINER"], rows: rows)))
        let volumes = detail.live.flatMap { live in live.volumes.map { [live.component, live.device, $0] } }
        if !volumes.isEmpty { sections.add("Volumes", .table(Table(headers: ["COMPONENT", "DEVICE", "VOLUME"], rows: volumes))) }
        if !detail.drift.isEmpty { sections.add("Drift (what runs differs from what was deployed)", .lines(detail.drift)) }
        if !deployment.inputs.isEmpty {
            sections.add("Inputs", .fields(deployment.inputs.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }))
        }
        if let notes = detail.notes?.trimmingCharacters(in: .whitespacesAndNewlines), !notes.isEmpty {
            sections.add("Notes", .lines(notes.components(separatedBy: "\n")))
        }
        sections.add("Recent steps", .lines(detail.steps.suffix(12).map { "\(Units.timestamp($0.time))  \(DeployProgressView.line($0))" }))
        return sections.render()
    }
}

/// A deploy's progress as it arrives: stored steps as lines; on a terminal, pull progress as a bar
/// redrawn in place (without a terminal, progress ticks are left out, so the text is the same each run).
public struct DeployProgressView: Sendable {
    public var terminal: Bool
    public var style: Style
    private var barShown = false

    public init(terminal: Bool, style: Style) {
        self.terminal = terminal
        self.style = style
    }

    /// The text to write for `step`.
    public mutating func render(_ step: DeploymentStep) -> String {
        guard step.seq != nil else {
            guard terminal else { return "" }
            barShown = true
            return "\r\u{1B}[2K  " + Self.bar(step)
        }
        let clear = barShown ? "\r\u{1B}[2K" : ""
        barShown = false
        return clear + style.paint(Self.pad(step.state.rawValue), code: Style.code(for: step.state)) + step.message + "\n"
    }

    /// A stored step as one line: its state, then its message.
    static func line(_ step: DeploymentStep) -> String { pad(step.state.rawValue) + step.message }

    static func pad(_ text: String) -> String { text + String(repeating: " ", count: max(1, 17 - text.count)) }

    /// `app: Downloading  [########------------]  12.0 MB / 40.0 MB`.
    static func bar(_ step: DeploymentStep) -> String {
        guard let total = step.total, total > 0, let current = step.current else { return step.message }
        let width = 24
        let filled = Int(Double(width) * min(1, Double(current) / Double(total)))
        return "\(step.message)  [\(String(repeating: "#", count: filled))\(String(repeating: "-", count: width - filled))]  "
            + "\(Units.bytes(UInt64(max(0, current)))) / \(Units.bytes(UInt64(total)))"
    }
}

extension Style {
    /// A deployment state, colored when color is on.
    public func state(_ state: DeploymentState) -> String { paint(state.rawValue, code: Self.code(for: state)) }

    static func code(for state: DeploymentState) -> String {
        switch state {
        case .running: "32"
        case .failed, .rolledBack, .rollingBack: "31"
        case .stopped: "90"
        default: "33"
        }
    }
}
