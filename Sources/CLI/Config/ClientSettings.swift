/// The controller URL, token and CA a command uses, after flags, environment and config file were weighed.
public struct ClientSettings: Equatable, Sendable {
    /// The controller.
    public var url: ControllerURL
    /// The API token.
    public var token: String
    /// How the controller's certificate is trusted.
    public var trust: TrustAnchor

    /// Creates settings.
    public init(url: ControllerURL, token: String, trust: TrustAnchor) {
        self.url = url
        self.token = token
        self.trust = trust
    }

    /// Settings by precedence, field by field: flag, then environment (`HOMELAB_URL`, `HOMELAB_TOKEN`,
    /// `HOMELAB_CA`), then the saved login (`config.json`, `ca.pem`).
    public static func resolve(flags: ConnectionOverrides, environment: [String: String], store: ConfigStore) throws(CLIError) -> ClientSettings {
        func nonEmpty(_ value: String?) -> String? {
            guard let value = value?.trimmingWhitespace(), !value.isEmpty else { return nil }
            return value
        }
        let saved = try store.loadLogin()
        guard let urlText = nonEmpty(flags.url) ?? nonEmpty(environment["HOMELAB_URL"]) ?? nonEmpty(saved?.url),
              let token = nonEmpty(flags.token) ?? nonEmpty(environment["HOMELAB_TOKEN"]) ?? nonEmpty(saved?.token)
        else {
            throw .notLoggedIn
        }
        let url = try ControllerURL(parsing: urlText)
        let trust: TrustAnchor
        if let ca = nonEmpty(flags.ca) ?? nonEmpty(environment["HOMELAB_CA"]) {
            trust = TrustAnchor(option: ca)
        } else if let pem = store.loadCAPEM() {
            trust = .certificate(try CACertificate(pem: pem, origin: "the saved CA \(store.caPath)"))
        } else {
            trust = .system
        }
        return ClientSettings(url: url, token: token, trust: trust)
    }
}

/// The connection values given on the command line, each optional.
public struct ConnectionOverrides: Equatable, Sendable {
    /// `--url`.
    public var url: String?
    /// `--token`.
    public var token: String?
    /// `--ca`.
    public var ca: String?

    /// Creates overrides.
    public init(url: String? = nil, token: String? = nil, ca: String? = nil) {
        self.url = url
        self.token = token
        self.ca = ca
    }
}

extension TrustAnchor {
    /// The CA certificate to trust for `url`; for a fingerprint, the one the controller presents if it matches.
    public func resolve(for url: ControllerURL) async throws(CLIError) -> CACertificate? {
        switch self {
        case .certificate(let ca):
            return ca
        case .file(let path):
            return try CACertificate(pemFile: path)
        case .fingerprint(let expected):
            let presented = try await CAProbe.presentedCA(at: url)
            try Self.check(presented.fingerprint, expected: expected, url: url)
            return presented
        case .system:
            return nil
        }
    }

    /// Refuses a presented CA whose fingerprint is not the expected one, naming both (exit 5).
    public static func check(_ presented: CAFingerprint, expected: CAFingerprint, url: ControllerURL) throws(CLIError) {
        guard presented == expected else {
            throw CLIError(
                .unreachable,
                "the controller at \(url) presents CA \(presented), but \(expected) was expected; refusing to trust it",
                exitCode: ExitStatus.unreachable
            )
        }
    }
}
