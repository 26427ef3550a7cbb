import Protocol
import Testing

@Suite("Versions, join tokens and enrollment bytes")
struct VersionAndTokenTests {
    @Test("negotiation picks the highest version both ranges hold, the same from either side")
    func negotiationPicksHighestCommon() throws {
        let a = ProtocolVersionRange(min: 1, max: 3)
        let b = ProtocolVersionRange(min: 2, max: 5)
        #expect(try a.negotiate(with: b) == 3)
        #expect(try b.negotiate(with: a) == 3)
        #expect(try ProtocolVersionRange.current.negotiate(with: .current) == 1)
        #expect(try ProtocolVersionRange(min: 1, max: 1).negotiate(with: ProtocolVersionRange(min: 1, max: 4)) == 1)
    }

    @Test("disjoint ranges fail with version_mismatch naming both ranges")
    func disjointRangesMismatch() {
        let ours = ProtocolVersionRange(min: 1, max: 1)
        let theirs = ProtocolVersionRange(min: 2, max: 3)
        let error = #expect(throws: HomelabError.self) { try ours.negotiate(with: theirs) }
        #expect(error?.code == .versionMismatch)
        #expect(error?.message == "no common protocol version: we speak v1, the peer speaks v2-v3")
    }

    static let hash = String(repeating: "0123456789abcdef", count: 4)

    @Test("a good join token parses into its parts and prints back the same")
    func goodTokenParses() throws {
        let token = try JoinToken(parsing: "  HLJ1.\(Self.hash).tok1.s3cr3t\n")
        #expect(token.caHash == Self.hash)
        #expect(token.id == "tok1")
        #expect(token.secret == "s3cr3t")
        #expect(token.description == "HLJ1.\(Self.hash).tok1.s3cr3t")
    }

    @Test("malformed join tokens fail with invalid_token", arguments: [
        "HLJ2.\(hash).id.secret",                                // wrong prefix
        "hlj1.\(hash).id.secret",                                // prefix is case-sensitive
        "HLJ1.\(hash.dropLast()).id.secret",                     // 63 hex digits
        "HLJ1.\(hash)0.id.secret",                               // 65 hex digits
        "HLJ1.\(hash.uppercased()).id.secret",                   // upper-case hex
        "HLJ1.\(hash.dropLast())g.id.secret",                    // not hex
        "HLJ1.\(hash)..secret",                                  // empty id
        "HLJ1.\(hash).id.",                                      // empty secret
        "HLJ1..id.secret",                                       // empty hash
        "HLJ1.\(hash).id",                                       // three parts
        "HLJ1.\(hash).id.sec.ret",                               // five parts
        "",
    ])
    func badTokensAreRefused(_ text: String) {
        let error = #expect(throws: HomelabError.self) { try JoinToken(parsing: text) }
        #expect(error?.code == .invalidToken)
    }

    @Test("the enrollment signature covers the documented bytes")
    func enrollSignedBytes() {
        let bytes = EnrollRequest.signedBytes(challenge: "Y2g=", deviceID: "dev-1", publicKey: "cGs=")
        #expect(bytes == Array("homelab-enroll-v1\nY2g=\ndev-1\ncGs=".utf8))
    }
}
