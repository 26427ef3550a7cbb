import ArgumentParser

/// Options every API command takes: output format and connection overrides.
public struct GlobalOptions: ParsableArguments, Sendable {
    /// `table` for people, `json` for scripts.
    @Option(name: [.short, .long], help: "Output format.")
    public var output: OutputFormat = .table

    /// Controller URL override.
    @Option(help: ArgumentHelp("Controller URL (overrides HOMELAB_URL and the saved login).", valueName: "url"))
    public var url: String?

    /// API token override.
    @Option(help: ArgumentHelp("API token (overrides HOMELAB_TOKEN and the saved login).", valueName: "token"))
    public var token: String?

    /// CA override: a PEM file or a SHA-256 fingerprint.
    @Option(help: ArgumentHelp("Controller CA: a PEM file or its SHA-256 fingerprint (overrides HOMELAB_CA and the saved CA).", valueName: "file|fingerprint"))
    public var ca: String?

    /// Creates the defaults.
    public init() {}

    /// The connection overrides given.
    public var overrides: ConnectionOverrides {
        ConnectionOverrides(url: url, token: token, ca: ca)
    }

    /// The client settings for this command line in a context.
    public func settings(in context: CommandContext) throws(CLIError) -> ClientSettings {
        try ClientSettings.resolve(flags: overrides, environment: context.environment, store: ConfigStore(directory: context.configDirectory))
    }
}

/// How results are printed.
public enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    /// Aligned columns and sections for people.
    case table
    /// The API's JSON, pretty-printed.
    case json
}
