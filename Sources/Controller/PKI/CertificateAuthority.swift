import Crypto
import Foundation
import NIOSSL
import SwiftASN1
import X509

/// The controller's certificate authority: an ECDSA P-256 key made at first start (key file 0600),
/// which signs the controller's own server certificate and every device certificate.
public struct CertificateAuthority: Sendable {
    /// The CA certificate.
    public let certificate: Certificate
    /// DER bytes of the CA certificate.
    public let certificateDER: [UInt8]
    let privateKey: P256.Signing.PrivateKey

    /// DNS name every controller server certificate carries; agents verify the controller against it,
    /// so a device certificate (signed by the same CA) can never pose as the controller.
    public static let controllerServerName = "homelab-controller"

    /// Lower-case hex SHA-256 of the CA certificate's DER: the hash in join tokens.
    public var fingerprint: String { SHA256.hash(data: certificateDER).hexString }

    /// The CA certificate in PEM.
    public var certificatePEM: String {
        get throws { try certificate.serializeAsPEM().pemString }
    }

    /// Loads the CA from `directory` (`ca.pem`, `ca-key.pem`), creating it on first start.
    public static func loadOrCreate(in directory: URL, now: Date = Date()) throws -> CertificateAuthority {
        let certURL = directory.appendingPathComponent("ca.pem")
        let keyURL = directory.appendingPathComponent("ca-key.pem")
        let fm = FileManager.default
        if fm.fileExists(atPath: certURL.path) {
            let certificate = try Certificate(pemEncoded: String(contentsOf: certURL, encoding: .utf8))
            let key = try P256.Signing.PrivateKey(pemRepresentation: String(contentsOf: keyURL, encoding: .utf8))
            return try CertificateAuthority(certificate: certificate, privateKey: key)
        }
        try fm.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName {
            OrganizationName("homelab")
            CommonName("homelab controller CA")
        }
        let extensions = try Certificate.Extensions {
            Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
            Critical(KeyUsage(keyCertSign: true, cRLSign: true))
            SubjectKeyIdentifier(hash: Certificate.PublicKey(key.publicKey))
        }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(),
            publicKey: Certificate.PublicKey(key.publicKey),
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(20 * 365 * 86400),
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: extensions, issuerPrivateKey: Certificate.PrivateKey(key)
        )
        try SecureFile.write(key.pemRepresentation, to: keyURL, mode: 0o600)
        try SecureFile.write(try certificate.serializeAsPEM().pemString, to: certURL, mode: 0o644)
        return try CertificateAuthority(certificate: certificate, privateKey: key)
    }

    init(certificate: Certificate, privateKey: P256.Signing.PrivateKey) throws {
        self.certificate = certificate
        self.privateKey = privateKey
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        self.certificateDER = serializer.serializedBytes
    }

    /// Issues a device certificate for `publicKey`, naming the device id: client authentication (to the
    /// controller and to other agents) and server authentication (its peer port, where other agents send volumes).
    public func issueDeviceCertificate(deviceID: String, publicKey: P256.Signing.PublicKey, now: Date = Date()) throws -> Certificate {
        let subject = try DistinguishedName {
            OrganizationName("homelab")
            OrganizationalUnitName("device")
            CommonName(deviceID)
        }
        return try issue(subject: subject, publicKey: publicKey, usages: [.clientAuth, .serverAuth],
                         names: [.uniformResourceIdentifier("urn:homelab:device:\(deviceID)")], days: 5 * 365, now: now)
    }

    /// A certificate this CA signs for `publicKey`: no CA, digital signatures only, the extended key
    /// `usages`, the subject alternative `names`, valid from five minutes ago for `days`.
    func issue(subject: DistinguishedName, publicKey: P256.Signing.PublicKey, usages: [ExtendedKeyUsage.Usage], names: [GeneralName],
               days: Double, now: Date) throws -> Certificate {
        let extensions = try Certificate.Extensions {
            Critical(BasicConstraints.notCertificateAuthority)
            Critical(KeyUsage(digitalSignature: true))
            try ExtendedKeyUsage(usages)
            SubjectAlternativeNames(names)
            AuthorityKeyIdentifier(keyIdentifier: authorityKeyID)
        }
        return try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(),
            publicKey: Certificate.PublicKey(publicKey),
            notValidBefore: now.addingTimeInterval(-300), notValidAfter: now.addingTimeInterval(days * 86400),
            issuer: certificate.subject, subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: extensions, issuerPrivateKey: Certificate.PrivateKey(privateKey)
        )
    }

    /// Issues the controller's TLS server certificate for a fresh key, valid for `hostnames` and `addresses`.
    public func issueServerCertificate(hostnames: [String], addresses: [String], now: Date = Date()) throws -> (Certificate, P256.Signing.PrivateKey) {
        let key = P256.Signing.PrivateKey()
        var names: [GeneralName] = ([Self.controllerServerName, "localhost"] + hostnames).map { .dnsName($0) }
        for address in ["127.0.0.1", "::1"] + addresses {
            if let bytes = IPAddressBytes.parse(address) { names.append(.ipAddress(ASN1OctetString(contentBytes: ArraySlice(bytes)))) }
        }
        let subject = try DistinguishedName {
            OrganizationName("homelab")
            CommonName(Self.controllerServerName)
        }
        let certificate = try issue(subject: subject, publicKey: key.publicKey, usages: [.serverAuth], names: names, days: 365, now: now)
        return (certificate, key)
    }

    private var authorityKeyID: ArraySlice<UInt8>? {
        (try? certificate.extensions.subjectKeyIdentifier)??.keyIdentifier
    }

    /// The CA as a NIOSSL trust root.
    public func nioCertificate() throws -> NIOSSLCertificate {
        try NIOSSLCertificate(bytes: certificateDER, format: .der)
    }
}

extension Certificate {
    /// DER bytes of the certificate.
    func derBytes() throws -> [UInt8] {
        var serializer = DER.Serializer()
        try serializer.serialize(self)
        return serializer.serializedBytes
    }
}
