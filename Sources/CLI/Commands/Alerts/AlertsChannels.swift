import ArgumentParser
import Foundation
import Protocol

/// `homelab alerts channels`: where alerts go.
public struct AlertsChannels: AsyncParsableCommand {
    /// Name, help and subcommands.
    public static let configuration = CommandConfiguration(
        commandName: "channels", abstract: "Add, list and remove alert channels.",
        subcommands: [AlertsChannelsList.self, AlertsChannelsAdd.self, AlertsChannelsRemove.self], defaultSubcommand: AlertsChannelsList.self)
    public init() {}
}

/// `homelab alerts channels list`.
public struct AlertsChannelsList: AsyncParsableCommand {
    /// Name and help.
    public static let configuration = CommandConfiguration(commandName: "list", abstract: "Every channel and how its deliveries go.", aliases: ["ls"])
    @OptionGroup public var global: GlobalOptions
    public init() {}
    public func run() async throws { try await run(in: .live()) }

    /// Fetches the channels and prints them.
    public func run(in context: CommandContext) async throws {
        let settings = try global.settings(in: context)
        let list = try await APIClient.withClient(settings) { try await $0.get(APIPaths.alertChannels, as: ListResponse<AlertChannelResource>.self) }
        switch global.output {
        case .json: context.console.write(try JSONOutput.render(list))
        case .table: context.console.write(AlertTables.channels(list.items, now: context.now, style: Style(colorEnabled: context.usesColor)))
        }
    }
}

/// `homelab alerts channels add NAME --type KIND …`: creates or replaces a channel.
public struct AlertsChannelsAdd: AsyncParsableCommand {
    /// Name and help.
    public static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Create or replace a channel.",
        discussion: """
            homelab alerts channels add phone --type ntfy --endpoint https://ntfy.sh/my-homelab --access-token tk_…
            homelab alerts channels add ops --type gotify --endpoint https://gotify.example.org --access-token A…
            homelab alerts channels add mail --type smtp --smtp-host mail.example.org --from homelab@example.org --to me@example.org \\
              --username homelab --password-stdin < password.txt
            homelab alerts channels add hook --type webhook --endpoint https://example.org/hooks/homelab --secret whsec_…
            homelab alerts channels add chat --type discord|slack --endpoint https://…
            """, aliases: ["set"])
    @OptionGroup public var global: GlobalOptions
    @Argument(help: "Channel name.") public var name: String
    @Option(help: "webhook, ntfy, gotify, smtp, discord or slack.") public var type: AlertChannelKind
    @Option(help: "Where to post: the webhook, the ntfy topic URL, the Gotify server, the Discord or Slack webhook URL.") public var endpoint: String?
    @Option(help: "webhook: the signing secret (Standard Webhooks).") public var secret: String?
    @Option(help: "ntfy: an access token; gotify: the application token.") public var accessToken: String?
    @Option(help: "ntfy or smtp: the user name.") public var username: String?
    @Option(help: "Its password (prefer --password-stdin).") public var password: String?
    @Flag(help: "Read the password from standard input.") public var passwordStdin = false
    @Option(help: "smtp: the server.") public var smtpHost: String?
    @Option(help: "smtp: its port (587 with starttls, 465 with tls, 25 without).") public var smtpPort: Int?
    @Option(help: "smtp: starttls (default), tls or none.") public var smtpSecurity: SMTPSecurity?
    @Option(help: "smtp: the sender address.") public var from: String?
    @Option(help: "smtp: a recipient (repeatable).") public var to: [String] = []
    @Option(help: "smtp: a CA (PEM) to trust instead of the system's.") public var caFile: String?
    @Option(help: "HH:MM-HH:MM in the controller's time zone: messages wait until the end.") public var quietHours: String?
    public init() {}
    public func run() async throws { try await run(in: .live()) }

    public func validate() throws {
        if passwordStdin && password != nil { throw ValidationError("--password or --password-stdin, not both") }
        if type == .smtp && (smtpHost == nil || from == nil || to.isEmpty) { throw ValidationError("an smtp channel needs --smtp-host, --from and --to") }
        if type != .smtp && endpoint == nil { throw ValidationError("a \(type.rawValue) channel needs --endpoint") }
    }

    /// The spec these flags describe.
    func spec(password: String?) -> AlertChannelSpec {
        AlertChannelSpec(kind: type, url: endpoint, secret: secret, token: accessToken, username: username, password: password,
                         smtp: smtpHost.map { SMTPSettings(host: $0, port: smtpPort, security: smtpSecurity, from: from ?? "", to: to, caFile: caFile) },
                         quietHours: quietHours)
    }

    /// Sends the channel and prints it.
    public func run(in context: CommandContext) async throws {
        let settings = try global.settings(in: context)
        let secret = passwordStdin ? context.console.readLine()?.trimmingCharacters(in: .newlines) : password
        let channel = try await APIClient.withClient(settings) {
            try await $0.put(APIPaths.alertChannel(name), json: spec(password: secret), as: AlertChannelResource.self)
        }
        switch global.output {
        case .json: context.console.write(try JSONOutput.render(channel))
        case .table: context.console.write("\(channel.name): \(channel.kind.rawValue) to \(channel.target). Try it: homelab alerts test \(channel.name)\n")
        }
    }
}

/// `homelab alerts channels rm NAME`.
public struct AlertsChannelsRemove: AsyncParsableCommand {
    /// Name and help.
    public static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove a channel and its pending messages.", aliases: ["remove"])
    @OptionGroup public var global: GlobalOptions
    @Argument(help: "Channel name.") public var name: String
    public init() {}
    public func run() async throws { try await run(in: .live()) }

    /// Removes the channel.
    public func run(in context: CommandContext) async throws {
        let settings = try global.settings(in: context)
        try await APIClient.withClient(settings) { try await $0.delete(APIPaths.alertChannel(name)) }
        if global.output == .table { context.console.write("\(name) removed\n") }
    }
}
