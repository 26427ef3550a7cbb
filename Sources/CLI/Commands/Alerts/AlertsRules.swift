import ArgumentParser
import Foundation
import Protocol

/// `homelab alerts rules`: what raises an alert.
public struct AlertsRules: AsyncParsableCommand {
    /// Name, help and subcommands.
    public static let configuration = CommandConfiguration(
        commandName: "rules", abstract: "Add, list and remove alert rules.",
        subcommands: [AlertsRulesList.self, AlertsRulesAdd.self, AlertsRulesRemove.self], defaultSubcommand: AlertsRulesList.self)
    public init() {}
}

/// `homelab alerts rules list`.
public struct AlertsRulesList: AsyncParsableCommand {
    /// Name and help.
    public static let configuration = CommandConfiguration(commandName: "list", abstract: "Every rule.", aliases: ["ls"])
    @OptionGroup public var global: GlobalOptions
    public init() {}
    public func run() async throws { try await run(in: .live()) }

    /// Fetches the rules and prints them.
    public func run(in context: CommandContext) async throws {
        let settings = try global.settings(in: context)
        let list = try await APIClient.withClient(settings) { try await $0.get(APIPaths.alertRules, as: ListResponse<AlertRuleResource>.self) }
        switch global.output {
        case .json: context.console.write(try JSONOutput.render(list))
        case .table: context.console.write(AlertTables.rules(list.items))
        }
    }
}

/// `homelab alerts rules add NAME --kind KIND …`: creates or replaces a rule.
public struct AlertsRulesAdd: AsyncParsableCommand {
    /// Name and help.
    public static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Create or replace a rule.",
        discussion: """
            homelab alerts rules add pi-offline --kind device-offline --device pi4 --for 2m --severity critical
            homelab alerts rules add hot --kind threshold --metric temperature --above 75 --for 15m --channel phone
            homelab alerts rules add deploys --kind deploy-failed
            homelab alerts rules add soon-full --kind insight --insight time-to-full --within-days 7
            """, aliases: ["set"])
    @OptionGroup public var global: GlobalOptions
    @Argument(help: "Rule name.") public var name: String
    @Option(help: "device-offline, threshold, deploy-failed, backup-failed, backup-overdue, backup-target-full, backup-prune-failing, migration-failed or insight.") public var kind: AlertRuleKind
    @Option(help: "Only this device.") public var device: String?
    @Option(help: "Only this deployment.") public var deployment: String?
    @Option(help: "threshold: cpu, memory, disk (percent) or temperature (°C).") public var metric: AlertMetric?
    @Option(help: "threshold: the limit; backup-target-full: the percent of the disk used (default 90).") public var above: Double?
    @Option(name: .customLong("for"), help: ArgumentHelp("How long the condition must hold (90s, 5m, 1h).", valueName: "duration"),
            transform: { try TTL(parsing: $0) })
    public var duration: TTL?
    @Option(help: "insight: a kind that fires (repeatable; default all).") public var insight: [InsightKind] = []
    @Option(help: "insight: a time-to-full insight fires only when full within this many days.") public var withinDays: Double?
    @Option(help: "info, warning (default) or critical.") public var severity: AlertSeverity?
    @Option(help: "A channel to notify (repeatable; default every channel).") public var channel: [String] = []
    @Option(help: ArgumentHelp("No second notification of the same alert within this time (default 10m).", valueName: "duration"),
            transform: { try TTL(parsing: $0) })
    public var cooldown: TTL?
    @Flag(help: "Store it switched off.") public var disabled = false
    public init() {}
    public func run() async throws { try await run(in: .live()) }

    /// The spec these flags describe.
    var spec: AlertRuleSpec {
        AlertRuleSpec(kind: kind, device: device, deployment: deployment, metric: metric, above: above, forSeconds: duration?.seconds,
                      insights: insight.isEmpty ? nil : insight, withinDays: withinDays, severity: severity,
                      channels: channel.isEmpty ? nil : channel, cooldownSeconds: cooldown?.seconds, enabled: disabled ? false : nil)
    }

    /// Sends the rule and prints it.
    public func run(in context: CommandContext) async throws {
        let settings = try global.settings(in: context)
        let rule = try await APIClient.withClient(settings) { try await $0.put(APIPaths.alertRule(name), json: spec, as: AlertRuleResource.self) }
        switch global.output {
        case .json: context.console.write(try JSONOutput.render(rule))
        case .table: context.console.write(AlertTables.rules([rule]))
        }
    }
}

/// `homelab alerts rules rm NAME`.
public struct AlertsRulesRemove: AsyncParsableCommand {
    /// Name and help.
    public static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove a rule; its firing alerts resolve quietly.", aliases: ["remove"])
    @OptionGroup public var global: GlobalOptions
    @Argument(help: "Rule name.") public var name: String
    public init() {}
    public func run() async throws { try await run(in: .live()) }

    /// Removes the rule.
    public func run(in context: CommandContext) async throws {
        let settings = try global.settings(in: context)
        try await APIClient.withClient(settings) { try await $0.delete(APIPaths.alertRule(name)) }
        if global.output == .table { context.console.write("\(name) removed\n") }
    }
}
