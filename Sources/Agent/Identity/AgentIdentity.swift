import Crypto
import FoundationEssentials
import NIOSSL
import Protocol

/// The device's identity on disk: a stable id, its P-256 key (made here, never sent), and once
/// enrolled its certificate and the controller CA it pinned.
public struct AgentIdentity: Sendable {
    /// Directory holding `device-id`, `key.pem` (0600), `cert.pem`, `ca.pem`.
    public let directory: String
    /// Stable device id.
    public let deviceID: String
    /// The device key.
    public let privateKey: P256.Signing.PrivateKey

    /// Loads the identity from `directory`, creating the id and key on first start.
    public static func loadOrCreate(directory: String) throws(AgentError) -> AgentIdentity {
        try StateFiles.makeDirectory(directory, mode: 0o700)
        // A state directory that already existed keeps its mode otherwise; the key and stacks' files live here.
        try StateFiles.restrict(directory, mode: 0o700)
        let idPath = directory + "/device-id", keyPath = directory + "/key.pem"
        var deviceID = SystemFiles.read(idPath)?.trimmed ?? ""
        if deviceID.isEmpty {
            var generator = SystemRandomNumberGenerator()
            deviceID = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }.map { hex($0) }.joined()
            try StateFiles.write(deviceID + "\n", to: idPath, mode: 0o644)
        }
        let key: P256.Signing.PrivateKey
        if let pem = SystemFiles.read(keyPath) {
            do {
                key = try P256.Signing.PrivateKey(pemRepresentation: pem)
            } catch {
                throw AgentError.config("\(keyPath) is not a P-256 private key; move it away to make a new identity")
            }
        } else {
            key = P256.Signing.PrivateKey()
            try StateFiles.write(key.pemRepresentation, to: keyPath, mode: 0o600)
        }
        return AgentIdentity(directory: directory, deviceID: deviceID, privateKey: key)
    }

    /// The public key as base64 SubjectPublicKeyInfo DER, as `enroll` sends it.
    public var publicKeyBase64: String { privateKey.publicKey.derRepresentation.base64EncodedString() }

    /// OpenSSH-style fingerprint of the public key (`SHA256:` + unpadded base64).
    public var keyFingerprint: String {
        let digest = Data(SHA256.hash(data: privateKey.publicKey.derRepresentation))
        return "SHA256:" + String(digest.base64EncodedString().filter { $0 != "=" })
    }

    /// Signs the enrollment challenge (proof of possession).
    public func signEnrollment(challenge: String) throws -> String {
        let bytes = EnrollRequest.signedBytes(challenge: challenge, deviceID: deviceID, publicKey: publicKeyBase64)
        return try privateKey.signature(for: bytes).derRepresentation.base64EncodedString()
    }

    // MARK: Certificate and CA

    /// The pinned controller CA (PEM), if any.
    public var caCertificatePEM: String? { SystemFiles.read(directory + "/ca.pem") }
    /// The device certificate (PEM), if enrolled.
    public var certificatePEM: String? { SystemFiles.read(directory + "/cert.pem") }

    /// Pins the controller CA.
    public func saveCA(_ pem: String) throws(AgentError) {
        try StateFiles.write(pem, to: directory + "/ca.pem", mode: 0o644)
    }

    /// Stores the issued device certificate.
    public func saveCertificate(_ pem: String) throws(AgentError) {
        try StateFiles.write(pem, to: directory + "/cert.pem", mode: 0o644)
    }

    /// Forgets the certificate (after the controller revoked it); the key and pinned CA stay.
    public func discardCertificate() {
        StateFiles.remove(directory + "/cert.pem")
    }

    /// Join token ids that must not be tried again (their device was removed after using them).
    public var spentTokenIDs: Set<String> {
        Set((SystemFiles.read(directory + "/spent-tokens") ?? "").split(separator: "\n").map(String.init))
    }

    /// Records that `tokenID` must not be tried again.
    public func markTokenSpent(_ tokenID: String) throws(AgentError) {
        let ids = spentTokenIDs.union([tokenID]).sorted().joined(separator: "\n")
        try StateFiles.write(ids + "\n", to: directory + "/spent-tokens", mode: 0o600)
    }

    /// SHA-256 (hex) of a PEM certificate's DER, the form join tokens carry.
    public static func fingerprint(ofCertificatePEM pem: String) throws -> String {
        let der = try NIOSSLCertificate(bytes: Array(pem.utf8), format: .pem).toDERBytes()
        return SHA256.hash(data: der).map { hex($0) }.joined()
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0f)]])
    }
}
