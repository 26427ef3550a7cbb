@testable import CLI
import Foundation
import Protocol
import Testing

/// Row 8 of issue 14: a device's facts holding terminal escapes never reach the admin's terminal.
@Suite("Strings from the network lose their terminal escapes")
struct UntrustedJSONTests {
    @Test("escapes written raw or as \\u sequences, OSC titles, C1 controls and bidi overrides are stripped; numbers and structure stay")
    func sanitized() throws {
        let json = #"{"name":"pi\u001b[2J\u001b]0;owned\u0007-4","note":"a\u009b31mb\u202ec","tab":"x\ty","count":18446744073709551615,"nested":{"k\u001bey":["\u001bq"]},"quote":"say \"hi\"\\"}"#
        let clean = String(decoding: UntrustedJSON.sanitized(Array(json.utf8)), as: UTF8.self)
        #expect(clean == #"{"name":"pi[2J]0;owned-4","note":"a31mbc","tab":"x y","count":18446744073709551615,"nested":{"key":["q"]},"quote":"say \"hi\"\\"}"#)
        let raw = "{\"name\":\"pi\u{1B}[2J\u{9B}x\u{202E}\"}"
        #expect(String(decoding: UntrustedJSON.sanitized(Array(raw.utf8)), as: UTF8.self) == #"{"name":"pi[2Jx"}"#)
    }

    @Test("a pending device whose facts hold terminal escapes shows in 'devices show' without them")
    func deviceShowStripsEscapes() throws {
        let device = #"{"id":"0123456789abcdef","name":"evil","status":"pending","keyFingerprint":"SHA256:x","labels":{},"createdAt":"2026-01-01T00:00:00Z","facts":{"hostname":"\u001b[2J\u001b]0;pwned\u0007host","architecture":"x86_64","kernel":"\u001b[31mred","cpu":{"cores":1},"agentVersion":"1\u009b2J"}}"#
        let resource = try WireCoding.decoder.decode(DeviceResource.self, from: Data(UntrustedJSON.sanitized(Array(device.utf8))))
        let text = DeviceDetail(device: resource, now: Date(timeIntervalSince1970: 1_767_225_600)).render()
        #expect(!text.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 || $0.value == 0x9B })
        #expect(text.contains("[2J]0;pwnedhost"))
    }
}
