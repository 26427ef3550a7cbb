/// Where a restic repository is and how to open it.
public struct ResticRepository: Sendable, Equatable {
    /// restic's repository string: `rest:https://HOST:PORT/apps/NAME/` or a local folder.
    public var location: String
    /// The repository's password; given to restic in its environment, never on its command line.
    public var password: String
    /// `--cacert`: the CA that signed the REST server's certificate (the homelab's CA).
    public var caCertificateFile: String?
    /// `--tls-client-cert`: this side's certificate and key in one PEM file.
    public var clientCertificateFile: String?
    /// How messages name it, e.g. `apps/vaultwarden on nas`.
    public var label: String

    /// Creates a repository description.
    public init(location: String, password: String, caCertificateFile: String? = nil, clientCertificateFile: String? = nil, label: String) {
        self.location = location
        self.password = password
        self.caCertificateFile = caCertificateFile
        self.clientCertificateFile = clientCertificateFile
        self.label = label
    }

    /// The global flags that select and open it.
    var arguments: [String] {
        ["--repo", location] + (caCertificateFile.map { ["--cacert", $0] } ?? [])
            + (clientCertificateFile.map { ["--tls-client-cert", $0] } ?? [])
    }
}
