import Crypto
import Foundation
import GRDB
import Protocol
import X509

/// Admits agents: checks proof of key possession, the join token (or records a pending request),
/// and issues device certificates for the agent's own key. Agent keys never leave the device.
public struct EnrollmentService: Sendable {
    let store: Store
    let authority: CertificateAuthority
    let registry: DeviceRegistry
    /// The pending-device cap and the facts bound.
    let limits: ListenerLimits

    /// Handles one `enroll` request made on a connection whose hello carried `challenge`.
    func enroll(_ request: EnrollRequest, challenge: String, address: String?, now: Date = Date()) async throws -> EnrollReply {
        guard Self.isValidDeviceID(request.deviceID) else {
            throw HomelabError(.malformedMessage, "device id must be 8-64 characters of [a-z0-9-]")
        }
        guard let keyDER = Data(base64Encoded: request.publicKey),
              let publicKey = try? P256.Signing.PublicKey(derRepresentation: keyDER) else {
            throw HomelabError(.malformedMessage, "publicKey is not a base64 P-256 SubjectPublicKeyInfo")
        }
        guard let signatureDER = Data(base64Encoded: request.signature),
              let signature = try? P256.Signing.ECDSASignature(derRepresentation: signatureDER),
              publicKey.isValidSignature(signature, for: EnrollRequest.signedBytes(challenge: challenge, deviceID: request.deviceID, publicKey: request.publicKey)) else {
            throw HomelabError(.badSignature, "the enrollment signature does not verify with the presented key")
        }
        let token = try request.token.map { try JoinToken(parsing: $0) }
        let fingerprint = Secrets.keyFingerprint(keyDER)
        let caFingerprint = authority.fingerprint
        let name = Self.sanitize(name: request.name)
        let facts = request.facts.map(JSONText.encode)
        if let facts, facts.utf8.count > limits.maximumFactsBytes {
            throw HomelabError(.malformedMessage, "the device's facts are \(facts.utf8.count) bytes; at most \(limits.maximumFactsBytes) are accepted")
        }
        let maximumPending = limits.maximumPendingDevices

        // One transaction: the token use, the device row and the certificate serial land together or not at all.
        let (record, certificate, created, dropped) = try await store.write { db -> (DeviceRecord, Certificate?, Bool, [DeviceRecord]) in
            let existing = try DeviceRecord.fetchOne(db, key: request.deviceID)
            if let existing, existing.publicKey != keyDER {
                throw HomelabError(.unauthorized, "device id \(request.deviceID) is registered with another key; remove it first")
            }
            var dropped: [DeviceRecord] = []
            if existing == nil && token == nil {
                // Full: the devices that asked longest ago make room, so a flood of requests cannot fill the disk.
                let pending = try DeviceRecord.filter(Column("state") == DeviceRecord.State.pending.rawValue)
                    .order(Column("lastSeenAt").asc, Column("createdAt").asc).fetchAll(db)
                dropped = Array(pending.prefix(max(0, pending.count - maximumPending + 1)))
                for record in dropped { try record.delete(db) }
            }
            var record = try existing ?? DeviceRecord(
                id: request.deviceID, name: Self.uniqueName(name, db: db), state: .pending, publicKey: keyDER,
                keyFingerprint: fingerprint, certificateSerial: nil, labels: "{}", address: address, createdAt: now,
                lastSeenAt: now, facts: nil, metrics: nil, tokenID: nil)
            if let token {
                let used = try TokenService.consume(token, caFingerprint: caFingerprint, now: now, db: db)
                record.labels = JSONText.encode(record.decodedLabels.merging(used.labels) { _, new in new })
                record.tokenID = used.id
                record.state = .enrolled
            }
            record.address = address
            record.lastSeenAt = now
            if let facts { record.facts = facts }
            var certificate: Certificate?
            if record.state == .enrolled {
                // A new serial each time: only the latest certificate of a device is accepted.
                let issued = try authority.issueDeviceCertificate(deviceID: record.id, publicKey: publicKey, now: now)
                record.certificateSerial = issued.serialNumber.description
                certificate = issued
            }
            try record.save(db)
            return (record, certificate, existing == nil, dropped)
        }
        for old in dropped {
            await registry.publish(.deviceRemoved, old, now: now, message: "\(old.name) stopped waiting for approval: more than \(maximumPending) devices asked to join")
        }
        guard let certificate else {
            if created { await registry.publish(.devicePending, record, now: now, message: "\(record.name) asks to join (key \(record.keyFingerprint))") }
            return EnrollReply(status: .pending, name: record.name)
        }
        let how = token.map { " with join token \($0.id)" } ?? " after approval"
        await registry.publish(.deviceEnrolled, record, now: now, message: "\(record.name) enrolled\(how)")
        return EnrollReply(status: .enrolled, name: record.name, certificate: try certificate.serializeAsPEM().pemString,
                           caCertificate: try authority.certificatePEM)
    }

    /// Device ids are made by agents: lower-case alphanumerics and dashes, 8-64 long.
    static func isValidDeviceID(_ id: String) -> Bool {
        (8...64).contains(id.count) && id.allSatisfy { ($0.isLetter && $0.isLowercase && $0.isASCII) || ($0.isNumber && $0.isASCII) || $0 == "-" }
    }

    /// Keeps names DNS-label-like: lower case, `[a-z0-9-]`, at most 63 characters.
    static func sanitize(name: String) -> String {
        let mapped = name.lowercased().map { ($0.isASCII && ($0.isLetter || $0.isNumber)) ? $0 : "-" }
        let trimmed = String(mapped).split(separator: "-").joined(separator: "-")
        return trimmed.isEmpty ? "device" : String(trimmed.prefix(63))
    }

    /// `name`, or `name-2`, `name-3`, … when taken.
    static func uniqueName(_ name: String, db: Database) throws -> String {
        var candidate = name
        var n = 1
        while try DeviceRecord.filter(Column("name") == candidate).fetchCount(db) > 0 {
            n += 1
            candidate = "\(name)-\(n)"
        }
        return candidate
    }
}
