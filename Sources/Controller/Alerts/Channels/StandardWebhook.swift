import Crypto
import Foundation

/// Standard Webhooks signatures (standardwebhooks.com): `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`,
/// keyed with the secret's bytes after `whsec_` (base64), or the secret's UTF-8 when it is not in that form.
enum StandardWebhook {
    static func headers(id: String, time: Date, body: Data, secret: String?) -> [(String, String)] {
        let timestamp = String(Int(time.timeIntervalSince1970))
        var headers = [("webhook-id", id), ("webhook-timestamp", timestamp)]
        if let secret {
            headers.append(("webhook-signature", "v1," + signature(id: id, timestamp: timestamp, body: body, secret: secret)))
        }
        return headers
    }

    /// The base64 HMAC-SHA256 of `id.timestamp.body`.
    static func signature(id: String, timestamp: String, body: Data, secret: String) -> String {
        let key = secret.hasPrefix("whsec_") ? Data(base64Encoded: String(secret.dropFirst(6))) ?? Data(secret.utf8) : Data(secret.utf8)
        var signed = Data("\(id).\(timestamp).".utf8)
        signed.append(body)
        let mac = HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: key))
        return Data(mac).base64EncodedString()
    }
}
