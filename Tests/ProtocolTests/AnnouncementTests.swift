import Foundation
import Protocol
import Testing

@Suite("Discovery announcements")
struct AnnouncementTests {
    static let agent = Announcement.agent(
        id: "6808b3b4a2276000e7c5ee925064e9e7", hostname: "nas", version: "0.1.0", architecture: "aarch64",
        state: .pending, linked: false, keyFingerprint: "SHA256:VZ3ZtFMSpjKQYm7gUE+2PWpMMvqpnoJ4dVveLvPnXlE")
    static let controller = Announcement.controller(
        caFingerprint: String(repeating: "ab", count: 32), hostname: "server", version: "0.1.0", agentAddress: "198.18.0.2:7444")

    @Test("an agent's and a controller's announcements encode to the documented bytes and decode back")
    func documentedBytes() throws {
        let agentText = #"{"arch":"aarch64","hl":1,"hostname":"nas","id":"6808b3b4a2276000e7c5ee925064e9e7","key":"SHA256:VZ3ZtFMSpjKQYm7gUE+2PWpMMvqpnoJ4dVveLvPnXlE","kind":"agent","linked":false,"state":"pending","version":"0.1.0"}"#
        let controllerText = #"{"agent":"198.18.0.2:7444","ca":"abababababababababababababababababababababababababababababababab","hl":1,"hostname":"server","id":"abababababababababababababababab","kind":"controller","version":"0.1.0"}"#
        #expect(String(decoding: AnnouncementCodec.encode(Self.agent), as: UTF8.self) == agentText)
        #expect(String(decoding: AnnouncementCodec.encode(Self.controller), as: UTF8.self) == controllerText)
        #expect(try AnnouncementCodec.decode(Array(agentText.utf8)) == Self.agent)
        #expect(try AnnouncementCodec.decode(Array(controllerText.utf8)) == Self.controller)
        #expect(AnnouncementCodec.encode(Self.agent).count < 400, "a real announcement stays far below the limit")
    }

    @Test("every datagram in docs/protocol.md decodes and encodes back to the same bytes")
    func documentedVectors() throws {
        let text = try String(contentsOf: TestVectors.packageRoot.appendingPathComponent("docs/protocol.md"), encoding: .utf8)
        let datagrams = text.split(separator: "\n").filter { $0.hasPrefix("datagram: ") }.map { String($0.dropFirst("datagram: ".count)) }
        #expect(datagrams.count == 2)
        for datagram in datagrams {
            let decoded = try AnnouncementCodec.decode(Array(datagram.utf8))
            #expect(String(decoding: AnnouncementCodec.encode(decoded), as: UTF8.self) == datagram)
        }
        #expect(try datagrams.map { try AnnouncementCodec.decode(Array($0.utf8)) } == [Self.agent, Self.controller])
    }

    @Test("datagrams that are not announcements are refused with the reason", arguments: [
        ("", AnnouncementRejection.malformed),
        ("not json", .malformed),
        ("[1,2,3]", .malformed),
        (#"{"hl":2,"kind":"agent"}"#, .unsupportedVersion),
        (#"{"hl":1,"kind":"toaster","id":"a","hostname":"h","version":"1"}"#, .malformed),
        (#"{"hl":1,"kind":"agent","id":"abc","hostname":"h","version":"1"}"#, .invalidField),
        (#"{"hl":1,"kind":"controller","id":"abc","hostname":"h","version":"1","agent":"1.2.3.4:7444","ca":"xyz"}"#, .invalidField),
        (#"{"hl":1,"kind":"agent","id":"a b","hostname":"h","version":"1","arch":"x","state":"enrolled","linked":true,"key":"k"}"#, .invalidField),
        (#"{"hl":1,"kind":"agent","id":"ab","hostname":"h\u0007","version":"1","arch":"x","state":"enrolled","linked":true,"key":"k"}"#, .invalidField),
        (#"{"hl":1,"kind":"agent","id":"","hostname":"h","version":"1","arch":"x","state":"enrolled","linked":true,"key":"k"}"#, .invalidField),
    ])
    func refused(text: String, reason: AnnouncementRejection) {
        #expect(throws: reason) { try AnnouncementCodec.decode(Array(text.utf8)) }
    }

    @Test("a datagram over the size limit is refused before it is parsed, however valid its start")
    func oversized() {
        var text = String(decoding: AnnouncementCodec.encode(Self.agent), as: UTF8.self)
        text.removeLast()
        text += ",\"pad\":\"" + String(repeating: "x", count: AnnouncementCodec.maximumSize) + "\"}"
        #expect(throws: AnnouncementRejection.oversized) { try AnnouncementCodec.decode(Array(text.utf8)) }
        let tooLongHost = Announcement.agent(id: "ab", hostname: String(repeating: "h", count: 300), version: "1", architecture: "x86_64",
                                             state: .enrolled, linked: true, keyFingerprint: "k")
        #expect(throws: AnnouncementRejection.invalidField) { try AnnouncementCodec.decode(AnnouncementCodec.encode(tooLongHost)) }
    }

    @Test("unknown fields from a newer sender are ignored")
    func unknownFields() throws {
        var text = String(decoding: AnnouncementCodec.encode(Self.controller), as: UTF8.self)
        text.removeLast()
        text += #","future":{"x":1}}"#
        #expect(try AnnouncementCodec.decode(Array(text.utf8)) == Self.controller)
    }
}
