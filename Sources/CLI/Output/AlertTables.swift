import Foundation
import Protocol

/// The `homelab alerts` tables.
public enum AlertTables {
    /// `homelab alerts list`: each alert, where it stands, and how its messages went.
    public static func alerts(_ alerts: [AlertResource], now: Date) -> String {
        guard !alerts.isEmpty else { return "No alerts yet.\n" }
        return Table(headers: ["ID", "STATE", "SEVERITY", "RULE", "SUBJECT", "FIRED", "MESSAGE", "SENT"], rows: alerts.map { alert in
            ["\(alert.id)", alert.state.rawValue, alert.severity.rawValue, alert.rule, alert.subject, Units.ago(alert.firedAt, now: now), alert.message,
             sent(alert)]
        }).render()
    }

    /// `ntfy ok, mail retrying (3)`, `cooldown`, `-`.
    static func sent(_ alert: AlertResource) -> String {
        guard alert.notified else { return "cooldown" }
        let words = alert.deliveries.map { delivery -> String in
            switch delivery.state {
            case .delivered: "\(delivery.channel) \(delivery.message == .resolved ? "resolved" : "ok")"
            case .pending: "\(delivery.channel) " + (delivery.attempts > 0 ? "retrying (\(delivery.attempts))" : "waiting")
            case .failed: "\(delivery.channel) failed"
            case .dropped: "\(delivery.channel) dropped"
            }
        }
        return words.isEmpty ? "-" : words.joined(separator: ", ")
    }

    /// `homelab alerts channels list`.
    public static func channels(_ channels: [AlertChannelResource], now: Date, style: Style) -> String {
        guard !channels.isEmpty else { return "No alert channels. Add one: homelab alerts channels add NAME --type ntfy --endpoint https://ntfy.sh/TOPIC\n" }
        return Table(headers: ["NAME", "TYPE", "TARGET", "STATUS", "LAST SENT", "QUIET", "LAST ERROR"], rows: channels.map { channel in
            let status = channel.status
            let state: String = switch status.state {
            case .ok: style.paint("ok", code: "32")
            case .failing: style.paint("failing (\(status.consecutiveFailures))", code: "31")
            case .untested: "untested"
            }
            return [channel.name, channel.kind.rawValue, channel.target, state + (status.pending > 0 ? ", \(status.pending) waiting" : ""),
                    status.lastDeliveredAt.map { Units.ago($0, now: now) } ?? "-", channel.quietHours ?? "-",
                    status.state == .failing ? status.lastError ?? "-" : "-"]
        }).render()
    }

    /// `homelab alerts rules list`.
    public static func rules(_ rules: [AlertRuleResource]) -> String {
        guard !rules.isEmpty else { return "No alert rules.\n" }
        return Table(headers: ["NAME", "KIND", "WHEN", "SEVERITY", "CHANNELS", "ENABLED"], rows: rules.map { rule in
            [rule.name, rule.spec.kind.rawValue, when(rule.spec), (rule.spec.severity ?? .warning).rawValue,
             rule.spec.channels?.joined(separator: ",") ?? "all", rule.spec.enabled == false ? "no" : "yes"]
        }).render()
    }

    /// `memory > 90 for 10m on pi4`, `offline 5m`, `time-to-full within 14 days`.
    static func when(_ spec: AlertRuleSpec) -> String {
        let span = spec.forSeconds.map { " for \(TTL(seconds: max(1, $0)))" } ?? ""
        let scope = [spec.device, spec.deployment].compactMap { $0 }.map { " on \($0)" }.joined()
        switch spec.kind {
        case .deviceOffline: return "offline\(span.isEmpty ? " for 5m" : span)\(scope)"
        case .threshold:
            let unit = spec.metric == .temperature ? "°C" : "%"
            return "\(spec.metric?.rawValue ?? "?") > \(Units.decimal(spec.above ?? 0))\(unit)\(span.isEmpty ? " for 5m" : span)\(scope)"
        case .deployFailed: return "a deploy fails\(scope)"
        case .backupFailed: return "a backup, restore or check fails\(scope)"
        case .backupOverdue: return "two scheduled backups missed\(scope)"
        case .backupTargetFull: return "a backup target > \(Units.decimal(spec.above ?? 90))% full\(scope)"
        case .backupPruneFailing: return "retention fails in 3 backups in a row\(scope)"
        case .migrationFailed: return "a migration fails\(scope)"
        case .insight:
            let kinds = spec.insights?.map(\.rawValue).joined(separator: ",") ?? "any insight"
            return kinds + (spec.withinDays.map { " (time-to-full within \(Units.decimal($0)) days)" } ?? "") + scope
        }
    }
}
