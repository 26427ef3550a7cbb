import Foundation
import GRDB
import Protocol

/// Finds, for every enabled rule, the conditions that hold now; one function per rule kind (a new kind is one case of
/// ``AlertRuleKind`` and one source here).
struct AlertConditions {
    let registry: DeviceRegistry
    let deployments: DeploymentService
    let insights: InsightsService
    let backups: BackupCoordinator

    /// Every condition of `rules` now; `firing` are the alerts still open (a failed deploy stays a condition until its
    /// deployment runs again or is removed). Reads the failures recorded since the last evaluation.
    func evaluate(_ rules: [(String, AlertRuleSpec)], firing: [AlertRecord], now: Date) async throws -> [AlertCondition] {
        let enabled = rules.filter { $0.1.enabled != false }
        guard !enabled.isEmpty else { return [] }
        let devices = try await registry.list()
        let current = enabled.contains { $0.1.kind == .insight } ? try await insights.current(now: now) : []
        let log = FailureLog(store: registry.store)
        let failures = try await log.unread(.deploy, reader: AlertRuleKind.deployFailed.rawValue)
        let backupFailures = try await log.unread(.backup, reader: AlertRuleKind.backupFailed.rawValue)
        let migrationFailures = try await log.unread(.migration, reader: AlertRuleKind.migrationFailed.rawValue)
        var out: [AlertCondition] = []
        for (name, rule) in enabled {
            switch rule.kind {
            case .deviceOffline: out += offline(name, rule, devices: devices, now: now)
            case .threshold: out += try await threshold(name, rule, devices: devices, now: now)
            case .deployFailed: out += try await deployFailed(name, rule, fresh: failures, firing: firing)
            case .backupFailed: out += try await backupFailed(name, rule, fresh: backupFailures, firing: firing)
            case .backupOverdue: out += try await backupOverdue(name, rule, now: now)
            case .backupTargetFull: out += try await backupTargetFull(name, rule)
            case .backupPruneFailing: out += try await backupPruneFailing(name, rule)
            case .migrationFailed: out += try await migrationFailed(name, rule, fresh: migrationFailures, firing: firing)
            case .insight: out += insight(name, rule, current)
            }
        }
        return out
    }

    /// Devices offline for the rule's time.
    func offline(_ name: String, _ rule: AlertRuleSpec, devices: [DeviceResource], now: Date) -> [AlertCondition] {
        let seconds = TimeInterval(rule.forSeconds ?? 300)
        return devices.filter { device in
            device.status == .offline && (rule.device == nil || rule.device == device.name)
                && now.timeIntervalSince(device.lastSeenAt ?? device.createdAt) >= seconds
        }.map { device in
            let since = device.lastSeenAt ?? device.createdAt
            return AlertCondition(rule: name, kind: .deviceOffline, subject: device.name, severity: rule.severity ?? .warning,
                                  title: "\(device.name) is offline",
                                  message: "\(device.name) has been offline for \(Words.span(now.timeIntervalSince(since))) (last seen \(since.formatted(.iso8601)))")
        }
    }

    /// Devices whose metric stayed above the rule's limit for its time: every bucket of the finest rung that keeps the
    /// window above it.
    func threshold(_ name: String, _ rule: AlertRuleSpec, devices: [DeviceResource], now: Date) async throws -> [AlertCondition] {
        guard let metric = rule.metric, let above = rule.above else { return [] }
        let window = rule.forSeconds ?? 300
        let history = registry.history
        let watched = devices.filter { $0.status == .online && (rule.device == nil || rule.device == $0.name) }
        return try await registry.store.read { db in
            var out: [AlertCondition] = []
            for device in watched {
                let keys: [SeriesKey] = switch metric {
                case .cpu: [SeriesKey(subject: .device(device.id), name: .cpu)]
                case .memory: [SeriesKey(subject: .device(device.id), name: .memory)]
                case .temperature: [SeriesKey(subject: .device(device.id), name: .temperature)]
                case .disk: try history.series(of: .device(device.id), named: .disk, in: db).map {
                    SeriesKey(subject: .device(device.id), name: .disk, label: $0.label)
                }
                }
                for key in keys {
                    let recent = try history.recent(key, seconds: window, now: now, in: db)
                    // Memory and disks are stored in bytes: compared as a share of their capacity.
                    let scale = key.name == .memory || key.name == .disk ? recent.capacity.map { 100 / $0 } : 1
                    guard let scale else { continue }
                    let rows = recent.rows.map { RollupRow(bucket: $0.bucket, sum: $0.sum * scale, count: $0.count, max: $0.max * scale) }
                    guard let figures = Sustained.measure(rows, threshold: above, window: window, resolution: recent.rung.resolution, now: now),
                          figures.holds(buckets: Sustained.buckets(window: window, resolution: recent.rung.resolution)) else { continue }
                    let what = Self.label(metric, mount: key.label)
                    let unit = metric == .temperature ? " °C" : " %"
                    out.append(AlertCondition(
                        rule: name, kind: .threshold, subject: device.name, severity: rule.severity ?? .warning,
                        title: "\(device.name): \(what) above \(Words.decimal(above))\(unit)",
                        message: "\(device.name): \(what) above \(Words.decimal(above))\(unit) for \(Words.span(TimeInterval(window))) (\(Words.decimal(figures.latest))\(unit) now)"))
                    break
                }
            }
            return out
        }
    }

    static func label(_ metric: AlertMetric, mount: String) -> String {
        switch metric {
        case .cpu: "CPU"
        case .memory: "RAM"
        case .disk: "disk \(mount)"
        case .temperature: "temperature"
        }
    }

    /// Deploy failures: those recorded since the last look, and those still firing whose deployment has not run since.
    func deployFailed(_ name: String, _ rule: AlertRuleSpec, fresh: [(subject: String, message: String)], firing: [AlertRecord]) async throws -> [AlertCondition] {
        try await jobFailed(name, rule, .deployFailed, fresh: fresh, firing: firing, title: { "Deploying \($0) failed" }) { _ in
            let states = Dictionary(try await deployments.list().map { ($0.name, $0.state) }) { first, _ in first }
            return Set(states.filter { $0.value != .running }.keys)
        }
    }

    /// Backup, restore and check failures: those recorded since the last look, and those still firing whose
    /// deployment exists and whose latest ended backup job did not succeed or latest ended check failed (a
    /// successful check does not make up for a failed backup, nor a successful backup for a damaged repository).
    func backupFailed(_ name: String, _ rule: AlertRuleSpec, fresh: [(subject: String, message: String)], firing: [AlertRecord]) async throws -> [AlertCondition] {
        try await jobFailed(name, rule, .backupFailed, fresh: fresh, firing: firing, title: { "A backup job of \($0) failed" }) { ids in
            let store = deployments.parts.jobs.store
            var failing = Set<String>()
            for (app, id) in ids {
                let subject = BackupMachine.subject(of: id)
                let backup = try await store.jobs(JobFilter(subject: subject, active: false, kind: BackupMachine.kind, limit: 1)).first
                let check = try await store.jobs(JobFilter(subject: subject, active: false, kind: BackupCheckMachine.kind, limit: 1)).first
                if backup?.outcome != .succeeded || check?.outcome == .failed { failing.insert(app) }
            }
            return failing
        }
    }

    /// Deployments that missed two scheduled backups in a row (``BackupPolicies/missed(_:jitter:since:now:calendar:cap:)``):
    /// those with volumes whose policy is on, once a backup target exists (without one nothing is scheduled).
    func backupOverdue(_ name: String, _ rule: AlertRuleSpec, now: Date, calendar: Calendar = .current) async throws -> [AlertCondition] {
        guard try await backups.targets.exist() else { return [] }
        let policies = try await BackupPolicies(store: registry.store).all()
        let store = deployments.parts.jobs.store
        var out: [AlertCondition] = []
        for deployment in try await deployments.list()
        where [.running, .stopped].contains(deployment.state) && (rule.deployment == nil || rule.deployment == deployment.name) {
            guard let (text, schedule, jitter) = BackupPolicies.schedule(of: policies[deployment.id] ?? BackupPolicySpec(), id: deployment.id) else { continue }
            let success = try await store.jobs(JobFilter(subject: BackupMachine.subject(of: deployment.id), kind: BackupMachine.kind,
                                                         outcome: .succeeded, limit: 1)).first
            let since = success?.updatedAt ?? deployment.createdAt
            let missed = BackupPolicies.missed(schedule, jitter: jitter, since: since, now: now, calendar: calendar)
            guard missed >= 2, !(try await backups.subjects(deployment.name).1.isEmpty) else { continue }
            let times = missed >= 100 ? "100 or more scheduled times" : "\(missed) scheduled times"
            let last = success.map { "its last successful backup was \(Words.age(now.timeIntervalSince($0.updatedAt))) ago" }
                ?? "it has never been backed up (deployed \(Words.age(now.timeIntervalSince(deployment.createdAt))) ago)"
            out.append(AlertCondition(rule: name, kind: .backupOverdue, subject: deployment.name, severity: rule.severity ?? .warning,
                                      title: "\(deployment.name) has no recent backup",
                                      message: "\(deployment.name): \(last); \(times) of its schedule (\(text)) passed without one"))
        }
        return out
    }

    /// Backup targets whose folder's filesystem is more than the rule's percent used (90 by default), as the target
    /// device measures it now; a target offline is the `device-offline` rule's to report.
    func backupTargetFull(_ name: String, _ rule: AlertRuleSpec) async throws -> [AlertCondition] {
        let above = rule.above ?? 90
        return try await backups.targets.list().compactMap { target in
            guard rule.device == nil || rule.device == target.device, let status = target.status,
                  let free = status.freeBytes, let total = status.totalBytes, total > 0 else { return nil }
            let used = 100 * Double(total - min(free, total)) / Double(total)
            guard used > above else { return nil }
            return AlertCondition(rule: name, kind: .backupTargetFull, subject: target.device, severity: rule.severity ?? .warning,
                                  title: "\(target.device): backup target almost full",
                                  message: "\(target.device): the backups' disk (\(target.path)) is \(Words.percent(used)) full, "
                                      + "\(Words.bytes(Double(free))) free of \(Words.bytes(Double(total))); backups to it fail once it is full")
        }
    }

    /// Deployments whose last ``BackupMachine/pruneFailuresToAlert`` backup jobs (of those that succeeded) each
    /// failed to apply the retention rules: the backups stand, but old runs are never forgotten and the target fills.
    /// A local target, which the controller cannot prune, is no failure.
    func backupPruneFailing(_ name: String, _ rule: AlertRuleSpec) async throws -> [AlertCondition] {
        let store = deployments.parts.jobs.store, count = BackupMachine.pruneFailuresToAlert
        var out: [AlertCondition] = []
        for deployment in try await deployments.list() where rule.deployment == nil || rule.deployment == deployment.name {
            let recent = try await store.jobs(JobFilter(subject: BackupMachine.subject(of: deployment.id), kind: BackupMachine.kind, outcome: .succeeded, limit: count))
            let failed = recent.compactMap { try? WireCoding.decoder.decode(BackupMachine.self, from: $0.machine) }.filter { $0.retentionFailed == true }
            guard failed.count == count, let latest = failed.first else { continue }
            out.append(AlertCondition(rule: name, kind: .backupPruneFailing, subject: deployment.name, severity: rule.severity ?? .warning,
                                      title: "Old backups of \(deployment.name) are not pruned",
                                      message: "\(deployment.name): its last \(count) backups could not apply the retention rules on \(latest.target) "
                                          + "(\(latest.retentionProblem ?? "no reason given")); the backups stand, but old runs stay and the target fills"))
        }
        return out
    }

    /// Migration failures: those recorded since the last look, and those still firing whose deployment exists and
    /// whose newest job is still that failed migration (a later deploy, action or migration that succeeded resolves it).
    func migrationFailed(_ name: String, _ rule: AlertRuleSpec, fresh: [(subject: String, message: String)], firing: [AlertRecord]) async throws -> [AlertCondition] {
        try await jobFailed(name, rule, .migrationFailed, fresh: fresh, firing: firing, title: { "Moving \($0) failed" }) { ids in
            let latest = try await deployments.parts.jobs.store.latest(of: Array(ids.values))
            return Set(ids.filter { latest[$0.value].map { $0.kind == MigrationMachine.kind && $0.outcome != .succeeded } ?? false }.keys)
        }
    }

    /// A failed-job rule: a condition for each failure recorded since the last look (of the rule's deployment, if it
    /// names one), and for each alert of the rule still firing whose deployment `stillFailing` returns (given the id by
    /// name of each such alert's deployment that exists; asked only when such an alert is open).
    private func jobFailed(_ name: String, _ rule: AlertRuleSpec, _ kind: AlertRuleKind, fresh: [(subject: String, message: String)],
                           firing: [AlertRecord], title: (String) -> String,
                           stillFailing: ([String: String]) async throws -> Set<String>) async throws -> [AlertCondition] {
        var out: [AlertCondition] = []
        for failure in fresh where rule.deployment == nil || rule.deployment == failure.subject {
            out.append(AlertCondition(rule: name, kind: kind, subject: failure.subject, severity: rule.severity ?? .warning,
                                      title: title(failure.subject), message: failure.message))
        }
        let open = firing.filter { alert in alert.rule == name && !out.contains { $0.subject == alert.subject } }
        guard !open.isEmpty else { return out }
        let subjects = Set(open.map(\.subject))
        let failing = try await stillFailing(Dictionary(try await deployments.list().filter { subjects.contains($0.name) }.map { ($0.name, $0.id) }) { first, _ in first })
        for alert in open where failing.contains(alert.subject) {
            out.append(AlertCondition(rule: name, kind: kind, subject: alert.subject, severity: AlertSeverity(rawValue: alert.severity) ?? .warning,
                                      title: alert.title, message: alert.message))
        }
        return out
    }

    /// The insights of the rule's kinds (and device or deployment); a time-to-full one only when full within `withinDays`.
    func insight(_ name: String, _ rule: AlertRuleSpec, _ insights: [Insight]) -> [AlertCondition] {
        insights.filter { insight in
            (rule.insights ?? InsightKind.allCases).contains(insight.kind)
                && (rule.device == nil || rule.device == insight.device) && (rule.deployment == nil || rule.deployment == insight.deployment)
                && (insight.kind != .timeToFull || rule.withinDays == nil || (insight.numbers["daysToFull"].map { $0 <= rule.withinDays! } ?? false))
        }.map { insight in
            AlertCondition(rule: name, kind: .insight, subject: insight.id, severity: rule.severity ?? AlertSeverity(insight.severity),
                           title: "\(insight.deployment ?? insight.device ?? "homelab"): \(Self.title(insight.kind))", message: insight.sentence)
        }
    }

    static func title(_ kind: InsightKind) -> String {
        switch kind {
        case .timeToFull: "filling up"
        case .dailyPattern: "daily pattern"
        case .temperature: "running hot"
        case .rebootLoop: "rebooting again and again"
        case .restartLoop: "restarting again and again"
        case .overload: "overloaded"
        }
    }
}

extension AlertSeverity {
    /// An insight's severity as an alert's.
    init(_ severity: InsightSeverity) {
        switch severity {
        case .info: self = .info
        case .warning: self = .warning
        case .critical: self = .critical
        }
    }
}
