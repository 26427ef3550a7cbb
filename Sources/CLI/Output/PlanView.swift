import Scheduler

/// A plan as `homelab recommend` and `homelab plan` print it: per component, the devices ranked with tier, score
/// and the words that decide it, in the order the placement uses; and what was selected, with what decided it and
/// what packing changed. Several components or instances show the selected set first. `explain` adds one device's factors.
public struct PlanView: Sendable {
    public var plan: Plan
    public var explain: String?
    public init(plan: Plan, explain: String? = nil) {
        self.plan = plan
        self.explain = explain
    }

    public func render() -> String {
        var sections = Sections()
        let joint = plan.rankings.count > 1 || plan.placements.count > 1
        if joint { sections.add("Selected", selected) }
        for ranking in plan.rankings {
            let title = plan.rankings.count == 1 ? "Devices for \(plan.recipe)" : "Devices for \(plan.recipe), component \(ranking.component)"
            sections.add(title, .table(Table(headers: ["#", "DEVICE", "TIER", "SCORE", "REASON"], rows: ranking.devices.enumerated().map { index, device in
                ["\(index + 1)", device.device, device.tier.words, device.eligible ? Self.number(device.score) : "-",
                 device.reason + (device.warnings.isEmpty ? "" : " (\(device.warnings.joined(separator: "; ")))")]
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
        if !joint { sections.add("Selected", selected) }
        return sections.render()
    }

    /// Each instance's components with their devices ("db → nas"), the deciding factor and any packing decision;
    /// then what could not be placed.
    var selected: Sections.Block {
        var lines: [String] = []
        for placement in plan.placements {
            for choice in placement.choices {
                let instance = plan.placements.count > 1 ? "instance \(placement.instance): " : ""
                let target = plan.rankings.count > 1 ? "\(choice.component) → \(choice.device)" : choice.device
                lines.append("\(instance)\(target) (\(choice.tier.words)): \(choice.reason)")
                lines.append("  \(choice.decision.words)")
                if let packing = choice.packing { lines.append("  packed: \(packing.reason) (over \(packing.over))") }
            }
        }
        lines += plan.unplaced.map { "not placed: \($0)" }
        return .lines(lines.isEmpty ? ["nothing can be placed"] : lines)
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String((value * 10).rounded() / 10)
    }
}
