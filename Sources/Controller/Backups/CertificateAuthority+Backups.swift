import Crypto
import Foundation
import SwiftASN1
import X509

extension CertificateAuthority {
    /// A client certificate for one of the controller's own identities (the prune identity, the
    /// recovery kit's): its name is a `urn:homelab:controller:…` URI no device certificate carries,
    /// and its key is the controller's, never a device's.
    func issueControllerIdentity(role: String, publicKey: P256.Signing.PublicKey, now: Date = Date()) throws -> Certificate {
        let subject = try DistinguishedName {
            OrganizationName("homelab")
            OrganizationalUnitName("controller")
            CommonName("homelab \(role)")
        }
        let extensions = try Certificate.Extensions {
            Critical(BasicConstraints.notCertificateAuthority)
            Critical(KeyUsage(digitalSignature: true))
            try ExtendedKeyUsage([.clientAuth])
            SubjectAlternativeNames([.uniformResourceIdentifier("urn:homelab:controller:\(role)")])
            AuthorityKeyIdentifier(keyIdentifier: authorityKeyID)
        }
        return try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: Certificate.PublicKey(publicKey),
            notValidBefore: now.addingTimeInterval(-300), notValidAfter: now.addingTimeInterval(10 * 365 * 86400),
            issuer: certificate.subject, subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: extensions, issuerPrivateKey: Certificate.PrivateKey(privateKey))
    }

    /// The TLS server certificate of a backup target: for the device's own key (which never leaves
    /// it), valid for its name and the addresses sources reach it on. It names neither
    /// `homelab-controller` nor client authentication, so it cannot stand in for the controller.
    func issueBackupTargetCertificate(deviceName: String, publicKey: P256.Signing.PublicKey, addresses: [String],
                                      now: Date = Date()) throws -> Certificate {
        var names: [GeneralName] = [.dnsName(deviceName)]
        for address in addresses {
            if let bytes = IPAddressBytes.parse(address) { names.append(.ipAddress(ASN1OctetString(contentBytes: ArraySlice(bytes)))) }
        }
        let subject = try DistinguishedName {
            OrganizationName("homelab")
            OrganizationalUnitName("backup target")
            CommonName(deviceName)
        }
        let extensions = try Certificate.Extensions {
            Critical(BasicConstraints.notCertificateAuthority)
            Critical(KeyUsage(digitalSignature: true))
            try ExtendedKeyUsage([.serverAuth])
            SubjectAlternativeNames(names)
            AuthorityKeyIdentifier(keyIdentifier: authorityKeyID)
        }
        return try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: Certificate.PublicKey(publicKey),
            notValidBefore: now.addingTimeInterval(-300), notValidAfter: now.addingTimeInterval(365 * 86400),
            issuer: certificate.subject, subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: extensions, issuerPrivateKey: Certificate.PrivateKey(privateKey))
    }
}
