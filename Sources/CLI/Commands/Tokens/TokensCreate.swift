import ArgumentParser
import Protocol

/// `homelab tokens create`: makes a join token and prints it, once.
public struct TokensCreate: AsyncParsableCommand {
    /// Name and help.
    public static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a join token; it is shown only this once."
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

    /// Creates the command.
    public init() {}

    /// Checks the labels.
    public func validate() throws {
        _ = try LabelArguments.parse(labels)
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
}
