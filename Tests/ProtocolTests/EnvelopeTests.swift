import Foundation
import NIOCore
import Protocol
import Testing

/// The kind-1 payload of a vector's only message frame.
func messagePayload(of vectorName: String) throws -> String {
    let vector = try TestVectors.named(vectorName)
    for case .message(let json) in vector.frames { return json }
    throw TestVectors.FormatError(description: "vector \(vectorName) has no message frame")
}

@Suite("Envelope and message bodies")
struct EnvelopeTests {
    @Test("each message vector's envelope decodes to the documented header", arguments: try TestVectors.load().filter { !$0.envelopes.isEmpty })
    func vectorEnvelopesDecode(_ vector: TestVector) throws {
        let payloads = vector.frames.compactMap { frame -> ByteBuffer? in
            if case .message(let json) = frame { return ByteBuffer(string: json) } else { return nil }
        }
        #expect(payloads.count == vector.envelopes.count)
        for (payload, expected) in zip(payloads, vector.envelopes) {
            switch expected {
            case .header(let v, let id, let type, let re):
                let header = try InboundMessage(payload: payload).header
                #expect(header.v == v)
                #expect(header.id == id)
                #expect(header.type == type)
                #expect(header.re == re)
            case .error(let code):
                let error = try #require(throws: HomelabError.self) { try InboundMessage(payload: payload) }
                #expect(error.code == code)
            }
        }
    }

    @Test("Swift values encode to exactly the vector's bytes and decode back", arguments: EncodingCase.all)
    func swiftValuesMatchVectors(_ testCase: EncodingCase) throws {
        let expected = try messagePayload(of: testCase.vector)
        let encoded = try testCase.encode()
        #expect(String(buffer: encoded) == expected)
        #expect(try testCase.decodesBack(InboundMessage(payload: ByteBuffer(string: expected))))
    }

    @Test("a missing body field is named by its JSON path, not by a Swift type")
    func missingFieldNamesThePath() throws {
        let json = #"{"v":1,"id":0,"type":"hello","body":{"versions":{"min":1,"max":1},"software":"x","capabilities":[]}}"#
        let message = try InboundMessage(payload: ByteBuffer(string: json))
        let error = try #require(throws: HomelabError.self) { try message.body(as: Hello.self) }
        #expect(error.code == .malformedMessage)
        #expect(error.message.contains("missing field 'body.role'"), "\(error.message)")
        expectNoSwiftNames(error.message)
    }

    @Test("a field of the wrong type is named by its JSON path")
    func wrongTypeNamesThePath() throws {
        let json = #"{"v":1,"id":0,"type":"hello","body":{"role":"agent","versions":{"min":"1","max":1},"software":"x","capabilities":[]}}"#
        let error = try #require(throws: HomelabError.self) {
            try InboundMessage(payload: ByteBuffer(string: json)).body(as: Hello.self)
        }
        #expect(error.message.contains("wrong type at 'body.versions.min'"), "\(error.message)")
        expectNoSwiftNames(error.message)
    }

    @Test("an array element of the wrong type is named with its index")
    func wrongArrayElementNamesTheIndex() throws {
        let json = #"{"v":1,"id":0,"type":"hello","body":{"role":"agent","versions":{"min":1,"max":1},"software":"x","capabilities":["a",2]}}"#
        let error = try #require(throws: HomelabError.self) {
            try InboundMessage(payload: ByteBuffer(string: json)).body(as: Hello.self)
        }
        #expect(error.message.contains("wrong type at 'body.capabilities[1]'"), "\(error.message)")
    }

    @Test("an unknown enum value is reported as an invalid value at its path")
    func unknownRoleIsInvalidValue() throws {
        let json = #"{"v":1,"id":0,"type":"hello","body":{"role":"toaster","versions":{"min":1,"max":1},"software":"x","capabilities":[]}}"#
        let error = try #require(throws: HomelabError.self) {
            try InboundMessage(payload: ByteBuffer(string: json)).body(as: Hello.self)
        }
        #expect(error.message.contains("'body.role'"), "\(error.message)")
        expectNoSwiftNames(error.message)
    }

    @Test("an envelope without a type names the missing field")
    func envelopeWithoutTypeNamesIt() {
        let error = #expect(throws: HomelabError.self) {
            try InboundMessage(payload: ByteBuffer(string: #"{"v":1,"id":4,"body":{}}"#))
        }
        #expect(error?.code == .malformedMessage)
        #expect(error?.message.contains("missing field 'type'") == true, "\(error?.message ?? "")")
    }

    @Test("a payload that is not JSON fails with malformed_message and says so")
    func notJSONIsMalformed() {
        for text in ["", "{", "hello", "\u{FF}", "[1,2]", "null"] {
            let error = #expect(throws: HomelabError.self) { try InboundMessage(payload: ByteBuffer(string: text)) }
            #expect(error?.code == .malformedMessage, "\(text)")
            if let message = error?.message { expectNoSwiftNames(message) }
        }
    }

    @Test("the decoder accepts any key order, whitespace, re: null, and unknown fields")
    func decoderIsLiberal() throws {
        let json = """
            { "body" : {"credit": 5, "future": true} ,
              "re": null, "type":"reply", "id": 12, "v": 1, "extra": [1] }
            """
        let message = try InboundMessage(payload: ByteBuffer(string: json))
        #expect(message.header.id == 12)
        #expect(message.header.re == nil)
        #expect(try message.body(as: StreamOpened.self) == StreamOpened(credit: 5))
    }

    @Test("absent optional fields are omitted and null is accepted for them")
    func optionalsOmittedAndNullAccepted() throws {
        let hello = Hello(role: .controller, software: "c")
        let encoded = String(buffer: try WireCoding.encode(Envelope(id: 0, type: MessageType.hello, body: hello)))
        #expect(!encoded.contains("challenge"))
        #expect(!encoded.contains("null"))
        let withNulls = #"{"v":1,"id":0,"type":"hello","re":null,"body":{"role":"controller","versions":{"min":1,"max":1},"software":"c","capabilities":[],"challenge":null,"caCertificate":null}}"#
        #expect(try InboundMessage(payload: ByteBuffer(string: withNulls)).body(as: Hello.self) == hello)
    }

    @Test("the encoder writes the envelope keys in order and body keys sorted, the same every time")
    func encodingIsDeterministic() throws {
        let hello = Hello(role: .controller, versions: ProtocolVersionRange(min: 1, max: 2), software: "s", capabilities: ["b", "a"],
                          challenge: "Y2g=", caCertificate: "pem", deviceID: "d")
        let text = String(buffer: try WireCoding.encode(Envelope(id: 3, type: MessageType.hello, re: 2, body: hello)))
        #expect(text == #"{"v":1,"id":3,"type":"hello","re":2,"body":{"caCertificate":"pem","capabilities":["b","a"],"challenge":"Y2g=","deviceID":"d","role":"controller","software":"s","versions":{"max":2,"min":1}}}"#)
    }

    @Test("the encoder escapes slashes, as the document says")
    func encoderEscapesSlashes() throws {
        let encoded = String(buffer: try WireCoding.encode(Envelope(id: 1, type: MessageType.ping, body: ["path": "a/b"])))
        #expect(encoded == #"{"v":1,"id":1,"type":"ping","body":{"path":"a\/b"}}"#)
        let decoded = try InboundMessage(payload: ByteBuffer(string: #"{"v":1,"id":1,"type":"ping","body":{"path":"a/b"}}"#))
        #expect(try decoded.body(as: [String: String].self) == ["path": "a/b"])
    }

    @Test("a stream.close error and the other bodies round-trip through JSON")
    func bodiesRoundTrip() throws {
        func roundTrip<Body: Codable & Sendable & Equatable>(_ type: String, _ body: Body) throws {
            let payload = try WireCoding.encode(Envelope(id: 42, type: type, body: body))
            #expect(try InboundMessage(payload: payload).body(as: Body.self) == body)
        }
        try roundTrip(MessageType.streamClose, StreamClose(stream: 3, error: HomelabError(.streamError, "gone")))
        try roundTrip(MessageType.streamClose, StreamClose(stream: 3))
        try roundTrip(MessageType.streamCredit, StreamCredit(stream: 2, bytes: 1 << 40))
        try roundTrip(MessageType.enroll, EnrollRequest(token: nil, deviceID: "d", name: "n", publicKey: "cGs=", signature: "c2ln", facts: nil))
        try roundTrip(MessageType.reply, EnrollReply(status: .pending, name: "n"))
        let facts = DeviceFacts(hostname: "pi", architecture: "aarch64", cpu: CPUInfo(model: nil, cores: 4, maxFrequencyMHz: 1500),
                                bootTime: Date(timeIntervalSince1970: 1_700_000_000), agentVersion: "0.1.0")
        try roundTrip(MessageType.facts, facts)
        try roundTrip(MessageType.metrics, MetricsSample(time: Date(timeIntervalSince1970: 1_700_000_000), load: LoadAverage(one: 0.5, five: 0.25, fifteen: 0.125)))
    }

    @Test("an unknown error code survives decoding as-is")
    func unknownErrorCodeIsKept() throws {
        let json = #"{"v":1,"id":2,"type":"error","re":1,"body":{"code":"brand_new","message":"m"}}"#
        let error = try InboundMessage(payload: ByteBuffer(string: json)).body(as: HomelabError.self)
        #expect(error.code.rawValue == "brand_new")
    }

    @Test("the events set is exactly the documented one")
    func eventTypes() {
        #expect(MessageType.events == ["facts", "metrics", "heartbeat", "stream.credit", "stream.close", "stack.progress", "container.event",
                                       "transfer.progress", "backup.progress"])
    }

    private func expectNoSwiftNames(_ message: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for swiftism in ["Hello", "DecodingError", "CodingKeys", "Swift.", "Protocol.", "ProtocolVersionRange", "PeerRole"] {
            #expect(!message.contains(swiftism), "'\(message)' mentions \(swiftism)", sourceLocation: sourceLocation)
        }
    }
}
