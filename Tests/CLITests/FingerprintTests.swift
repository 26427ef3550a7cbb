import Testing
@testable import CLI

@Suite("CA fingerprints")
struct FingerprintTests {
    static let hex = "3b0f2ae5c1d04e8e9a7c6b5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f"

    @Test("64 hex digits parse with or without sha256:, in any case", arguments: [
        hex, "sha256:\(hex)", "SHA256:\(hex.uppercased())", "  \(hex)\n",
    ])
    func parses(text: String) throws {
        #expect(try #require(CAFingerprint(parsing: text)).hex == Self.hex)
    }

    @Test("openssl's colon-separated form parses too")
    func colons() throws {
        var pairs: [String] = []
        var rest = Substring(Self.hex.uppercased())
        while !rest.isEmpty { pairs.append(String(rest.prefix(2))); rest = rest.dropFirst(2) }
        #expect(try #require(CAFingerprint(parsing: pairs.joined(separator: ":"))).hex == Self.hex)
    }

    @Test("anything else is not a fingerprint", arguments: [
        "", "sha256:", String(hex.dropLast()), hex + "0", String(hex.dropLast()) + "g", "md5:\(hex)", "/etc/homelab/ca.pem", "3b:0f2a",
    ])
    func rejects(text: String) {
        #expect(CAFingerprint(parsing: text) == nil)
    }

    @Test("the fingerprint is the lower-case hex SHA-256 of the DER")
    func digest() {
        // SHA-256 of the empty input, a known vector.
        #expect(CAFingerprint(der: []).hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(CAFingerprint(der: []).description.hasPrefix("sha256:e3b0"))
    }

    @Test("--ca is a fingerprint when it parses as one, a file otherwise")
    func trustOption() {
        #expect(TrustAnchor(option: Self.hex) == .fingerprint(CAFingerprint(parsing: Self.hex)!))
        #expect(TrustAnchor(option: "ca.pem") == .file("ca.pem"))
    }

    @Test("a mismatch is refused with exit 5, naming both fingerprints")
    func mismatch() throws {
        let presented = CAFingerprint(der: [1])
        let expected = CAFingerprint(der: [2])
        let url = try ControllerURL(parsing: "https://10.0.0.2:7443")
        #expect(throws: Never.self) { try TrustAnchor.check(presented, expected: presented, url: url) }
        do {
            try TrustAnchor.check(presented, expected: expected, url: url)
            Issue.record("a mismatch must throw")
        } catch {
            #expect(error.exitCode == 5)
            #expect(error.message.contains(presented.hex))
            #expect(error.message.contains(expected.hex))
        }
    }
}
