import ArgumentParser
import Protocol

extension APIRole: ExpressibleByArgument {}

/// `homelab tokens create`: makes a join token (or, with `--api`, an API token for a person) and prints it, once.
public struct TokensCreate: AsyncParsableCommand {
    /// Name and help.
    public static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a join token, or with --api an API token for a person or program; it is shown only this once."
    )

    /// Output and connection options.
    @OptionGroup public var global: GlobalOptions

    /// Usable by many devices.
    @Flag(help: "Let any number of devices join with it until it expires.")
    public var reusable = false

    /// Lifetime.
    @Option(help: ArgumentHelp("Lifetime: seconds, or a number with s, m, h, d or w (30m, 24h, 7d). Default: 24h.", valueName: "ttl"),
            transform: { text in try TTL(parsing: text) })
    public var ttl: TTL?

    /// Labels for joining devices.
    @Option(name: .customLong("label"), help: ArgumentHelp("A label every device that joins with it gets (repeatable).", valueName: "key=value"))
    public var labels: [String] = []

    /// A note for people.
    @Option(help: ArgumentHelp("A note for people, such as \"living-room Pis\".", valueName: "text"))
    public var description: String?

    /// An API token instead of a join token.
    @Flag(help: "Make an API token (for the CLI, the dashboard or a script) instead of a join token.")
    public var api = false

    /// The API token's role.
    @Option(help: ArgumentHelp("With --api: admin, operator (deploy, start/stop, back up; no tokens or devices) or viewer (read only).", valueName: "role"))
    public var role: APIRole?

    /// Who the API token is for.
    @Option(help: ArgumentHelp("With --api: who the token is for; shown in the audit log.", valueName: "name"))
    public var name: String?

    /// Creates the command.
    public init() {}

    /// Checks the labels, and that API and join token options are not mixed.
    public func validate() throws {
        _ = try LabelArguments.parse(labels)
        if api {
            guard role != nil, name != nil else { throw ValidationError("--api needs --role and --name") }
            guard !reusable, labels.isEmpty, description == nil else { throw ValidationError("--reusable, --label and --description are for join tokens, not --api") }
        } else {
            guard role == nil, name == nil else { throw ValidationError("--role and --name make an API token: add --api") }
        }
        do {
            try (api ? InputBounds.apiTokenTTL : InputBounds.joinTokenTTL).check(ttl?.seconds)
        } catch {
            throw ValidationError("--ttl: \(error.message.replacingOccurrences(of: "ttlSeconds", with: "the lifetime"))")
        }
    }

    /// The API token request this command line makes (with `--api`).
    public func apiRequest() -> CreateAPITokenRequest {
        CreateAPITokenRequest(name: name ?? "", role: role ?? .viewer, ttlSeconds: ttl?.seconds)
    }

    /// The request this command line makes.
    public func request() throws -> CreateTokenRequest {
        CreateTokenRequest(reusable: reusable, ttlSeconds: ttl?.seconds, labels: try LabelArguments.parse(labels), description: description)
    }

    /// Runs in the process's context.
    public func run() async throws {
        try await run(in: .live())
    }

    /// Creates the token and prints it, with a hint how to use it in table mode.
    public func run(in context: CommandContext) async throws {
        let settings = try global.settings(in: context)
        if api { return try await createAPIToken(settings, in: context) }
        let body = try request()
        let created = try await APIClient.withClient(settings) { client in
            try await client.post(APIPaths.tokens, json: body, as: CreatedToken.self)
        }
        switch global.output {
        case .json:
            context.console.write(try JSONOutput.render(created))
        case .table:
            let resource = created.resource
            let kind = resource.reusable ? "reusable" : "single-use"
            context.console.write("""
                \(created.token)

                A \(kind) join token (id \(resource.id)), expires \(Units.ago(resource.expiresAt, now: context.now)). It is not shown again.
                On the device, run:
                  homelab-agent --controller \(settings.url.host):7444 --join-token \(created.token)

                """)
        }
    }

    private func createAPIToken(_ settings: ClientSettings, in context: CommandContext) async throws {
        let body = apiRequest()
        let created = try await APIClient.withClient(settings) { client in
            try await client.post(APIPaths.apiTokens, json: body, as: CreatedAPIToken.self)
        }
        switch global.output {
        case .json:
            context.console.write(try JSONOutput.render(created))
        case .table:
            let resource = created.resource
            let expiry = resource.expiresAt.map { "expires \(Units.ago($0, now: context.now))" } ?? "never expires"
            context.console.write("""
                \(created.token)

                An API token for \(resource.name) (id \(resource.id), role \(resource.role.rawValue)); it \(expiry) and is not shown again.
                To use it:  homelab login \(settings.url) --token \(created.token)

                """)
        }
    }
}
