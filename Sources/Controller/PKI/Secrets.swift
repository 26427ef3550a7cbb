import Crypto
import Foundation

/// Random identifiers and secrets, and the hashes under which secrets are stored.
enum Secrets {
    /// `count` random bytes as lower-case hex.
    static func randomHex(bytes count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }.hexString
    }

    /// SHA-256 of a secret, hex; secrets are 128+ random bits, so no slow hash is needed.
    static func hash(_ secret: String) -> String {
        SHA256.hash(data: Data(secret.utf8)).hexString
    }

    /// Compares two strings in time independent of where they differ.
    static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// OpenSSH-style fingerprint of a public key's DER: `SHA256:` + unpadded base64.
    static func keyFingerprint(_ der: Data) -> String {
        let digest = Data(SHA256.hash(data: der))
        return "SHA256:" + digest.base64EncodedString().replacingOccurrences(of: "=", with: "")
    }
}
