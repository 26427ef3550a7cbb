import ArgumentParser
import Protocol

/// `homelab backup policy`: when and where an app is backed up, and what is kept.
public struct BackupPolicyCommand: AsyncParsableCommand {
    /// Name, help and subcommands.
    public static let configuration = CommandConfiguration(
        commandName: "policy", abstract: "Show or set an app's backup policy (schedule, target, retention).",
        subcommands: [BackupPolicyShow.self, BackupPolicySet.self], defaultSubcommand: BackupPolicyShow.self)

    /// Creates the command.
    public init() {}
}

/// `homelab backup policy show NAME`.
public struct BackupPolicyShow: AsyncParsableCommand {
    /// Name and help.
    public static let configuration = CommandConfiguration(commandName: "show", abstract: "Show an app's backup policy as it applies, and its next run.")

    /// Output and connection options.
    @OptionGroup public var global: GlobalOptions
    /// The deployment.
    @Argument(help: "The app (deployment) name.") public var name: String

    /// Creates the command.
    public init() {}

    /// Runs in the process's context.
    public func run() async throws { try await run(in: .live()) }

    /// Shows it.
    public func run(in context: CommandContext) async throws {
        let settings = try global.settings(in: context)
        let path = APIPaths.backupPolicy(name)
        let policy = try await APIClient.withClient(settings) { client in try await client.get(path, as: BackupPolicyResource.self) }
        switch global.output {
        case .json: context.console.write(try JSONOutput.render(policy))
        case .table: context.console.write(BackupPolicyView.render(policy))
        }
    }
}

/// `homelab backup policy set NAME …`: what is not given keeps its default.
public struct BackupPolicySet: AsyncParsableCommand {
    /// Name and help.
    public static let configuration = CommandConfiguration(
        commandName: "set", abstract: "Set an app's backup policy; what is not given takes its default (daily at 03:00 plus the app's jitter, the only target, keep 3/7/4/6).")

    /// Output and connection options.
    @OptionGroup public var global: GlobalOptions
    /// The deployment.
    @Argument(help: "The app (deployment) name.") public var name: String
    /// The schedule.
    @Option(help: "Five-field cron, in the controller's time zone (\"30 2 * * *\", \"0 */6 * * *\").") public var schedule: String?
    /// The target.
    @Option(help: "The backup target device.") public var target: String?
    /// Retention rules.
    @Option(help: "Runs kept: the newest N.") public var keepLast: Int?
    @Option(help: "Runs kept: the newest of each of the last N days.") public var keepDaily: Int?
    @Option(help: "Runs kept: the newest of each of the last N weeks.") public var keepWeekly: Int?
    @Option(help: "Runs kept: the newest of each of the last N months.") public var keepMonthly: Int?
    /// Off switch.
    @Flag(help: "No scheduled backups (backup now still works).") public var disable = false

    /// Creates the command.
    public init() {}

    /// Runs in the process's context.
    public func run() async throws { try await run(in: .live()) }

    /// The request the options make.
    public func makeSpec() -> BackupPolicySpec {
        let rules = [keepLast, keepDaily, keepWeekly, keepMonthly]
        let standard = BackupRetention()
        let retention = rules.allSatisfy { $0 == nil } ? nil
            : BackupRetention(keepLast: keepLast ?? standard.keepLast, keepDaily: keepDaily ?? standard.keepDaily,
                              keepWeekly: keepWeekly ?? standard.keepWeekly, keepMonthly: keepMonthly ?? standard.keepMonthly)
        return BackupPolicySpec(schedule: schedule, target: target, retention: retention, enabled: disable ? false : nil)
    }

    /// Sets it and shows the result.
    public func run(in context: CommandContext) async throws {
        let settings = try global.settings(in: context)
        let (path, spec) = (APIPaths.backupPolicy(name), makeSpec())
        let policy = try await APIClient.withClient(settings) { client in try await client.put(path, json: spec, as: BackupPolicyResource.self) }
        switch global.output {
        case .json: context.console.write(try JSONOutput.render(policy))
        case .table: context.console.write(BackupPolicyView.render(policy))
        }
    }
}
