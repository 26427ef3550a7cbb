import ArgumentParser
import Protocol

/// `homelab login URL --token TOKEN [--ca FILE|FINGERPRINT]`: pins the controller's CA and saves the login.
public struct LoginCommand: AsyncParsableCommand {
    /// Name and help.
    public static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Pin the controller's CA, check the token and save both.",
        discussion: """
            Without --ca, the CA the controller presents is shown with its SHA-256 fingerprint and you are \
            asked to trust it (compare it with the one the controller printed at first start). Not on a \
            terminal, pass --ca with that fingerprint or with the CA file. The login is saved in \
            $XDG_CONFIG_HOME/homelab (default ~/.config/homelab): config.json and ca.pem, readable only by you.
            """
    )

    /// The controller URL.
    @Argument(help: ArgumentHelp("Controller URL, e.g. https://192.168.1.10:7443 (a bare host means port 7443).", valueName: "url"))
    public var url: String

    /// The API token.
    @Option(help: ArgumentHelp("API token (default: HOMELAB_TOKEN).", valueName: "token"))
    public var token: String?

    /// The CA to pin.
    @Option(help: ArgumentHelp("The controller CA: a PEM file, or the SHA-256 fingerprint it must have (default: HOMELAB_CA).", valueName: "file|fingerprint"))
    public var ca: String?

    /// Creates the command.
    public init() {}

    /// Checks the URL.
    public func validate() throws {
        do {
            _ = try ControllerURL(parsing: url)
        } catch {
            throw ValidationError(error.message)
        }
    }

    /// Runs in the process's context.
    public func run() async throws {
        try await run(in: .live())
    }

    /// Pins the CA, checks the token with `GET /v1/controller`, saves the login and reports it.
    public func run(in context: CommandContext) async throws {
        let url = try ControllerURL(parsing: url)
        guard let token = [token, context.environment["HOMELAB_TOKEN"]].compactMap({ $0?.trimmingWhitespace() }).first(where: { !$0.isEmpty }) else {
            throw CLIError.usage("pass the API token with --token (or set HOMELAB_TOKEN)")
        }
        let caOption = [ca, context.environment["HOMELAB_CA"]].compactMap({ $0?.trimmingWhitespace() }).first { !$0.isEmpty }
        let pinned = try await pinCA(url: url, option: caOption, context: context)
        let info = try await APIClient.withClient(url: url, token: token, trusting: pinned) { client in
            try await client.get(APIPaths.controller, as: ControllerInfo.self)
        }
        if let reported = CAFingerprint(parsing: info.caFingerprint), reported != pinned.fingerprint {
            context.console.writeError("Warning: the controller reports CA \(reported), but its TLS certificate chains to \(pinned.fingerprint)\n")
        }
        try ConfigStore(directory: context.configDirectory).save(SavedLogin(url: url.description, token: token), caPEM: pinned.pem)
        let version = info.version.hasPrefix("v") ? info.version : "v\(info.version)"
        context.console.write("Logged in to \(url) (controller \(version), CA \(pinned.fingerprint))\n")
    }

    /// The CA to pin: the given file, the presented CA when it has the given fingerprint, or the presented CA once a person accepts it.
    func pinCA(url: ControllerURL, option: String?, context: CommandContext) async throws(CLIError) -> CACertificate {
        switch option.map(TrustAnchor.init(option:)) {
        case .file(let path):
            return try CACertificate(pemFile: path)
        case .fingerprint(let expected):
            let presented = try await CAProbe.presentedCA(at: url)
            try TrustAnchor.check(presented.fingerprint, expected: expected, url: url)
            return presented
        case .certificate(let ca):
            return ca
        case .system, nil:
            let presented = try await CAProbe.presentedCA(at: url)
            guard context.console.isInputTerminal else {
                throw CLIError.usage("""
                    the controller's CA is not pinned yet: it presents "\(presented.subjectDescription)" with fingerprint \(presented.fingerprint); \
                    check it and pass --ca \(presented.fingerprint.hex) (or --ca with the CA file)
                    """)
            }
            context.console.writeError("""
                The controller at \(url) presents this CA certificate:
                  subject:     \(presented.subjectDescription)
                  fingerprint: \(presented.fingerprint)
                Compare the fingerprint with the one the controller printed at first start.

                """)
            guard context.console.confirm("Trust this controller CA?") else {
                throw CLIError.aborted("login cancelled: the controller's CA was not trusted")
            }
            return presented
        }
    }
}
