import Foundation
import GRDB
import NIOSSL
import Protocol
import X509

/// Maps a verified client certificate to an enrolled device, refusing removed devices and superseded certificates.
struct DeviceCertificateCheck: Sendable {
    let store: Store

    func deviceID(for certificate: NIOSSLCertificate) async throws -> String {
        let parsed: Certificate
        do {
            parsed = try Certificate(derEncoded: certificate.toDERBytes())
        } catch {
            throw HomelabError(.unauthorized, "the client certificate cannot be parsed")
        }
        guard let commonName = parsed.subject.commonName else {
            throw HomelabError(.unauthorized, "the client certificate names no device")
        }
        let serial = parsed.serialNumber.description
        let record = try await store.read { db in try DeviceRecord.fetchOne(db, key: commonName) }
        guard let record, record.state == .enrolled else {
            throw HomelabError(.deviceRevoked, "device \(commonName) was removed from this controller; enroll it again")
        }
        guard record.certificateSerial == serial else {
            throw HomelabError(.deviceRevoked, "this certificate of device \(record.name) was replaced or revoked; enroll it again")
        }
        return record.id
    }
}

extension DistinguishedName {
    /// The first common name, if any.
    var commonName: String? {
        for rdn in self {
            for attribute in rdn where attribute.type == .RDNAttributeType.commonName {
                return String(describing: attribute.value)
            }
        }
        return nil
    }
}
