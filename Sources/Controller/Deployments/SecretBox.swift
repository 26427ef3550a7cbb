import Crypto
import Foundation
import Protocol

/// Seals what a deployment must keep secret (inputs, generated secrets, rendered stacks) with AES-256-GCM
/// under a key kept beside the CA (`pki/deployments.key`, mode 0600), so a copy of the database alone
/// reveals none of it.
struct SecretBox: Sendable {
    private let key: SymmetricKey

    init(key: SymmetricKey) { self.key = key }

    /// Loads the key in `directory`, making one on first use.
    static func loadOrCreate(in directory: URL) throws -> SecretBox {
        let url = directory.appendingPathComponent("deployments.key")
        if let text = try? String(contentsOf: url, encoding: .utf8) {
            guard let data = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)), data.count == 32 else {
                throw HomelabError.internal("\(url.path) is not a 256-bit key in base64")
            }
            return SecretBox(key: SymmetricKey(data: data))
        }
        let key = SymmetricKey(size: .bits256)
        try SecureFile.write(key.withUnsafeBytes { Data($0) }.base64EncodedString() + "\n", to: url, mode: 0o600)
        return SecretBox(key: key)
    }

    func seal(_ data: Data) throws -> Data {
        guard let combined = try AES.GCM.seal(data, using: key).combined else { throw HomelabError.internal("sealing failed") }
        return combined
    }

    func open(_ sealed: Data) throws -> Data {
        do {
            return try AES.GCM.open(AES.GCM.SealedBox(combined: sealed), using: key)
        } catch {
            throw HomelabError.internal("a deployment's sealed data does not open with pki/deployments.key (was the key replaced?)")
        }
    }
}
