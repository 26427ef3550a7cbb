import Scheduler

/// A plan as `homelab recommend` and `homelab plan` print it: per component, the devices ranked with
/// tier, score and reason; then where each instance goes. `explain` adds one device's factors.
public struct PlanView: Sendable {
    public var plan: Plan
    public var explain: String?
    public init(plan: Plan, explain: String? = nil) {
        self.plan = plan
        self.explain = explain
    }

    public func render() -> String {
        var sections = Sections()
        for ranking in plan.rankings {
            let title = plan.rankings.count == 1 ? "Devices for \(plan.recipe)" : "Devices for \(plan.recipe), component \(ranking.component)"
            sections.add(title, .table(Table(headers: ["#", "DEVICE", "TIER", "SCORE", "REASON"], rows: ranking.devices.enumerated().map { index, device in
                ["\(index + 1)", device.device, device.tier.words, device.eligible ? Self.number(device.score) : "-",
                 device.reason.dropFirst(device.device.count + 2) + (device.warnings.isEmpty ? "" : " (\(device.warnings.joined(separator: "; ")))")]
            })))
            if let explain, let device = ranking.devices.first(where: { $0.device == explain }) {
                var lines = device.rejections.map { "rejected: \($0)" }
                sections.add("\(explain) for \(ranking.component): \(device.tier.words), score \(Self.number(device.score))", .table(Table(
                    headers: ["FACTOR", "SCORE", "WEIGHT", "BECAUSE"],
                    rows: device.factors.map { [$0.name, Self.number($0.score), $0.weight == 0 ? "off" : Self.number($0.weight), $0.note] })))
                lines += device.warnings.map { "note: \($0)" }
                if !lines.isEmpty { sections.add("\(explain): filters and notes", .lines(lines)) }
            }
        }
        var placed = plan.placements.map { placement in
            let where_ = placement.devices.sorted { $0.key < $1.key }.map { plan.rankings.count == 1 ? $0.value : "\($0.key) → \($0.value)" }
            return "\(plan.placements.count > 1 ? "instance \(placement.instance): " : "")\(where_.joined(separator: ", ")) (\(placement.reason))"
        }
        placed += plan.unplaced.map { "not placed: \($0)" }
        sections.add("Placement", .lines(placed.isEmpty ? ["nothing can be placed"] : placed))
        return sections.render()
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String((value * 10).rounded() / 10)
    }
}
