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
        return try issue(subject: subject, publicKey: publicKey, usages: [.clientAuth],
                         names: [.uniformResourceIdentifier("urn:homelab:controller:\(role)")], days: 10 * 365, now: now)
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
        return try issue(subject: subject, publicKey: publicKey, usages: [.serverAuth], names: names, days: 365, now: now)
    }
}
