/// How the controller's certificate is to be trusted, from `--ca`, `HOMELAB_CA` or the saved `ca.pem`.
public enum TrustAnchor: Equatable, Sendable {
    /// Trust exactly this CA.
    case certificate(CACertificate)
    /// Trust the CA the controller presents only if its SHA-256 is this.
    case fingerprint(CAFingerprint)
    /// Trust a PEM file, read when needed.
    case file(String)
    /// No CA pinned: the system's trust store and host name checks.
    case system

    /// Reads a `--ca` / `HOMELAB_CA` value: a SHA-256 fingerprint when it parses as one, otherwise a PEM file path.
    public init(option value: String) {
        if let fingerprint = CAFingerprint(parsing: value) {
            self = .fingerprint(fingerprint)
        } else {
            self = .file(value)
        }
    }
}
