import Foundation
import NIOSSL

/// A self-signed CA and a server certificate for 127.0.0.1 it signed, made with the `openssl` tool.
struct TestCertificates {
    let directory: TemporaryDirectory
    /// The CA certificate PEM file.
    let caPath: String
    /// The CA, leaf first chain the server presents.
    let chain: [NIOSSLCertificate]
    /// The server's private key.
    let key: NIOSSLPrivateKey
    /// The CA fingerprint as `openssl x509 -fingerprint -sha256` prints it (`sha256 Fingerprint=AB:CD:…`).
    let opensslFingerprint: String

    /// Makes a CA named `caName` and a leaf for 127.0.0.1 in a fresh temporary directory.
    init(caName: String = "Test Homelab CA") throws {
        directory = try TemporaryDirectory()
        let dir = directory.path
        try directory.write("leaf.ext", "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n")
        try Self.openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                          "-keyout", "\(dir)/ca.key", "-out", "\(dir)/ca.pem", "-days", "2", "-subj", "/CN=\(caName)",
                          "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
        try Self.openssl(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                          "-keyout", "\(dir)/leaf.key", "-out", "\(dir)/leaf.csr", "-subj", "/CN=controller"])
        try Self.openssl(["x509", "-req", "-in", "\(dir)/leaf.csr", "-CA", "\(dir)/ca.pem", "-CAkey", "\(dir)/ca.key",
                          "-CAcreateserial", "-out", "\(dir)/leaf.pem", "-days", "1", "-extfile", "\(dir)/leaf.ext"])
        caPath = "\(dir)/ca.pem"
        chain = [
            try NIOSSLCertificate(file: "\(dir)/leaf.pem", format: .pem),
            try NIOSSLCertificate(file: caPath, format: .pem),
        ]
        key = try NIOSSLPrivateKey(file: "\(dir)/leaf.key", format: .pem)
        opensslFingerprint = try Self.openssl(["x509", "-noout", "-fingerprint", "-sha256", "-in", caPath])
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The fingerprint part of `opensslFingerprint` (`AB:CD:…`).
    var fingerprintText: String {
        String(opensslFingerprint.split(separator: "=").last ?? "")
    }

    @discardableResult
    static func openssl(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw OpenSSLFailed(arguments: arguments)
        }
        return String(decoding: data, as: UTF8.self)
    }

    struct OpenSSLFailed: Error {
        let arguments: [String]
    }
}
