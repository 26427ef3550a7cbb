import Foundation
import NIOSSL

/// The controller's CA certificate: what `homelab login` pins and every request trusts.
public struct CACertificate: Sendable, Equatable {
    /// The certificate.
    public var certificate: NIOSSLCertificate
    /// Its DER bytes.
    public var der: [UInt8]

    /// Wraps a certificate.
    public init(_ certificate: NIOSSLCertificate) throws(CLIError) {
        self.certificate = certificate
        do {
            self.der = try certificate.toDERBytes()
        } catch {
            throw .localFile("cannot read the CA certificate: it is not valid DER")
        }
    }

    /// SHA-256 of the DER.
    public var fingerprint: CAFingerprint { CAFingerprint(der: der) }

    /// The PEM text saved in `ca.pem`.
    public var pem: String {
        let body = Data(der).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        return "-----BEGIN CERTIFICATE-----\n\(body)\n-----END CERTIFICATE-----\n"
    }

    /// The subject's common name (or the whole subject), for showing to people.
    public var subjectDescription: String {
        let names = certificate.subjectName
        if let commonName = names.first(where: { $0.type == .commonName }) { return commonName.value }
        return names.map(\.value).joined(separator: ", ")
    }

    /// Whether subject and issuer are the same name, as for a root CA.
    public static func isSelfIssued(_ certificate: NIOSSLCertificate) -> Bool {
        certificate.subjectName == certificate.issuerName
    }

    /// The CA of a presented chain: the last self-issued certificate (the controller sends leaf, then CA).
    public static func root(ofChain chain: [NIOSSLCertificate]) throws(CLIError) -> CACertificate {
        guard let root = chain.last(where: isSelfIssued) else {
            throw CLIError(.unreachable, "the controller presented no self-signed CA certificate (\(chain.count) certificate(s)); pass --ca with the CA file", exitCode: ExitStatus.unreachable)
        }
        return try CACertificate(root)
    }

    /// Reads the CA from PEM text: the self-issued certificate in it, or its only certificate.
    public init(pem text: String, origin: String) throws(CLIError) {
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMBytes(Array(text.utf8))
        } catch {
            throw .localFile("\(origin) holds no PEM certificate")
        }
        if let root = certificates.last(where: Self.isSelfIssued) {
            try self.init(root)
        } else if certificates.count == 1 {
            try self.init(certificates[0])
        } else {
            throw .localFile("\(origin) holds \(certificates.count) certificates and none of them is a self-signed CA")
        }
    }

    /// Reads the CA from a PEM file.
    public init(pemFile path: String) throws(CLIError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .localFile("cannot read the CA file \(path)")
        }
        try self.init(pem: String(decoding: data, as: UTF8.self), origin: "the CA file \(path)")
    }

    /// Compares by DER.
    public static func == (lhs: CACertificate, rhs: CACertificate) -> Bool { lhs.der == rhs.der }
}
