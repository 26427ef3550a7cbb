import Foundation
import Protocol
import Recipes

/// The checks of a channel or rule before it is stored; each problem names the API field.
enum AlertValidation {
    /// A name: lower-case letters, digits and `-`, at most 40.
    static func name(_ name: String, of what: String) throws {
        guard RecipeLoader.isID(name), name.count <= 40 else {
            throw HomelabError.badRequest("\"\(name)\" is not a \(what) name: lower-case letters, digits and -, at most 40, starting with a letter or digit")
        }
    }

    static func invalid(_ code: HomelabError.Code, _ problems: [String]) -> HomelabError {
        HomelabError(code, problems.joined(separator: "\n"))
    }

    /// Every problem of a channel spec.
    static func problems(_ spec: AlertChannelSpec, timeZone: TimeZone) -> [String] {
        var problems: [String] = []
        if let quiet = spec.quietHours, (try? DailyWindow(parsing: quiet, timeZone: timeZone)) == nil {
            problems.append("quietHours: '\(quiet)' is not a daily window like 22:00-07:00")
        }
        switch spec.kind {
        case .smtp:
            guard let smtp = spec.smtp else { return problems + ["smtp: an smtp channel needs its server and addresses (host, from, to)"] }
            if smtp.host.isEmpty || smtp.host.contains(where: \.isWhitespace) { problems.append("smtp.host: a host name or address") }
            if let port = smtp.port, !(1...65_535).contains(port) { problems.append("smtp.port: 1-65535, got \(port)") }
            if !MailMessage.isAddress(smtp.from) { problems.append("smtp.from: '\(smtp.from)' is not an address") }
            if smtp.to.isEmpty { problems.append("smtp.to: at least one recipient") }
            for address in smtp.to where !MailMessage.isAddress(address) { problems.append("smtp.to: '\(address)' is not an address") }
            if let ca = smtp.caFile, !FileManager.default.isReadableFile(atPath: ca) { problems.append("smtp.caFile: \(ca) cannot be read") }
            if (spec.username == nil) != (spec.password == nil) { problems.append("username and password: both or neither") }
            if smtp.security == SMTPSecurity.none && spec.password != nil {
                problems.append("smtp.security: none would send the password in the clear; use starttls or tls")
            }
        default:
            guard let text = spec.url, let url = URL(string: text), ["http", "https"].contains(url.scheme?.lowercased() ?? ""),
                  let host = url.host, !host.isEmpty else {
                return problems + ["url: an http:// or https:// URL of the receiver, got '\(spec.url ?? "")'"]
            }
            if url.user != nil { problems.append("url: credentials go in token or username and password, not the URL") }
            if spec.kind == .gotify && (spec.token ?? "").isEmpty { problems.append("token: Gotify needs an application token") }
            if spec.kind == .ntfy, spec.token != nil, spec.username != nil { problems.append("token and username: one or the other") }
        }
        return problems
    }

    /// Where a channel sends, without secrets: a Discord or Slack URL (itself a secret) is cut after its host.
    static func target(_ spec: AlertChannelSpec) -> String {
        if spec.kind == .smtp, let smtp = spec.smtp {
            return "smtp://\(smtp.host):\(smtp.effectivePort) → \(smtp.to.joined(separator: ", "))"
        }
        guard let text = spec.url, var parts = URLComponents(string: text) else { return spec.url ?? "" }
        parts.user = nil
        parts.password = nil
        parts.query = nil
        if spec.kind == .discord || spec.kind == .slack, !parts.path.isEmpty {
            parts.path = ""
            return (parts.string ?? "") + "/…"
        }
        return parts.string ?? text
    }

    /// Every problem of a rule spec; `channels` and `devices` are the names that exist.
    static func problems(_ spec: AlertRuleSpec, channels: Set<String>, devices: Set<String>, deployments: Set<String>) -> [String] {
        var problems: [String] = []
        if let seconds = spec.forSeconds, !(0...7 * 86_400).contains(seconds) { problems.append("forSeconds: 0 to 604800, got \(seconds)") }
        if let seconds = spec.cooldownSeconds, !(0...7 * 86_400).contains(seconds) { problems.append("cooldownSeconds: 0 to 604800, got \(seconds)") }
        if let device = spec.device, !devices.contains(device) { problems.append("device: no device named '\(device)'") }
        if let deployment = spec.deployment, !deployments.contains(deployment) { problems.append("deployment: no deployment named '\(deployment)'") }
        for channel in spec.channels ?? [] where !channels.contains(channel) { problems.append("channels: no channel named '\(channel)'") }
        switch spec.kind {
        case .threshold:
            guard let metric = spec.metric else { return problems + ["metric: a threshold rule needs one of cpu, memory, disk, temperature"] }
            guard let above = spec.above else { return problems + ["above: a threshold rule needs its limit"] }
            let range: ClosedRange<Double> = metric == .temperature ? -40...150 : 0...100
            if !range.contains(above) { problems.append("above: \(metric.rawValue) limits are \(Int(range.lowerBound)) to \(Int(range.upperBound)), got \(above)") }
        case .backupTargetFull:
            if let above = spec.above, !(0...100).contains(above) { problems.append("above: a percentage of the target's disk, 0 to 100, got \(above)") }
        case .insight:
            if let days = spec.withinDays, !(days > 0) { problems.append("withinDays: more than 0, got \(days)") }
        case .deviceOffline, .deployFailed, .backupFailed, .backupOverdue, .backupPruneFailing, .migrationFailed:
            break
        }
        if spec.kind != .threshold && spec.metric != nil { problems.append("metric: only for threshold rules") }
        if ![.threshold, .backupTargetFull].contains(spec.kind) && spec.above != nil { problems.append("above: only for threshold and backup-target-full rules") }
        return problems
    }
}
