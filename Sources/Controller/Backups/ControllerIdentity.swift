import Crypto
import Foundation
import X509

/// One of the controller's own client identities for backup targets, kept beside the CA
/// (`pki/ROLE-key.pem` 0600, `pki/ROLE.pem`): `prune` (the only one that may delete from a
/// repository) and `recovery` (the recovery kit's, which may read every repository).
public struct ControllerIdentity: Sendable {
    /// `prune` or `recovery`.
    public let role: String
    /// The certificate, PEM.
    public let certificatePEM: String
    let key: P256.Signing.PrivateKey

    /// The key and the certificate in one PEM, as restic's `--tls-client-cert` reads them.
    public var combinedPEM: String { certificatePEM.trimmingCharacters(in: .newlines) + "\n" + key.pemRepresentation + "\n" }

    /// Lower-case hex SHA-256 of the public key's SubjectPublicKeyInfo: how targets know it.
    public var keyHash: String { SHA256.hash(data: key.publicKey.derRepresentation).hexString }

    /// Loads the identity, making its key and certificate on first use.
    static func loadOrCreate(role: String, authority: CertificateAuthority, in directory: URL) throws -> ControllerIdentity {
        let keyURL = directory.appendingPathComponent("\(role)-key.pem"), certificateURL = directory.appendingPathComponent("\(role).pem")
        if let keyText = try? String(contentsOf: keyURL, encoding: .utf8), let certificate = try? String(contentsOf: certificateURL, encoding: .utf8) {
            return ControllerIdentity(role: role, certificatePEM: certificate, key: try P256.Signing.PrivateKey(pemRepresentation: keyText))
        }
        let key = P256.Signing.PrivateKey()
        let certificate = try authority.issueControllerIdentity(role: role, publicKey: key.publicKey).serializeAsPEM().pemString
        try SecureFile.write(key.pemRepresentation, to: keyURL, mode: 0o600)
        try SecureFile.write(certificate, to: certificateURL, mode: 0o644)
        return ControllerIdentity(role: role, certificatePEM: certificate, key: key)
    }
}
