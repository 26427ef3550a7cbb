import Foundation
import NIOCore
import NIOEmbedded
import NIOTestUtils
import Protocol
import Testing
import TestSupport

@Suite("Frame codec")
struct FrameCodecTests {
    @Test("docs/protocol.md holds every required vector, each well formed")
    func documentHoldsTheRequiredVectors() throws {
        let vectors = try TestVectors.load()
        let names = Set(vectors.map(\.name))
        let required = [
            "hello-message", "stream-open-request", "stream-open-reply", "error-reply", "heartbeat-event",
            "stream-frame", "empty-stream-frame", "frame-split-across-reads", "two-frames-in-one-read",
            "zero-length-frame", "unknown-kind", "stream-frame-too-short-for-id", "oversized-length-prefix",
            "truncated-frame-at-eof",
        ]
        for name in required {
            #expect(names.contains(name), "docs/protocol.md lacks the vector '\(name)'")
        }
        #expect(try TestVectors.named("frame-split-across-reads").reads.count > 1)
        #expect(try TestVectors.named("two-frames-in-one-read").reads.count == 1)
        #expect(try TestVectors.named("two-frames-in-one-read").frames.count == 2)
        for vector in vectors {
            let messages = vector.frames.filter { if case .message = $0 { return true } else { return false } }
            #expect(vector.envelopes.count == messages.count, "\(vector.name): one envelope line per message frame")
        }
    }

    @Test("the vector format rejects unknown keys and bad hex")
    func vectorFormatIsStrict() {
        #expect(throws: TestVectors.FormatError.self) { try TestVectors.parse("```vector\nname: x\nread: 0g\n```\n") }
        #expect(throws: TestVectors.FormatError.self) { try TestVectors.parse("```vector\nname: x\nread: 00\nfrmae: stream 1\n```\n") }
        #expect(throws: TestVectors.FormatError.self) { try TestVectors.parse("```vector\nname: x\n") }
    }

    @Test("each vector, read by read through the pipeline, gives its frames or fails with its code", arguments: try TestVectors.load())
    func vectorDecodesThroughPipeline(_ vector: TestVector) throws {
        let outcome = try decodeThroughPipeline(vector)
        #expect(outcome.frames == vector.frames.map(\.frame))
        if let expected = vector.error {
            let error = try #require(outcome.protocolError, "expected \(expected), got \(String(describing: outcome.error))")
            #expect(error.code == expected)
            // Only the end of input can reveal a truncated frame; every other error is raised by a read.
            #expect(outcome.failedAtEOF == (expected == .truncatedFrame))
        } else {
            #expect(outcome.error == nil)
        }
    }

    @Test("decodeFrame on a vector's bytes yields its frames and leaves a partial frame unread", arguments: try TestVectors.load())
    func vectorDecodesWithDecodeFrame(_ vector: TestVector) throws {
        var buffer = vector.bytes
        var frames: [Frame] = []
        var thrown: HomelabError?
        do {
            while let frame = try FrameDecoder.decodeFrame(from: &buffer, maximumFrameLength: vector.maximumFrameLength) {
                frames.append(frame)
            }
        } catch let error as HomelabError {
            thrown = error
        }
        #expect(frames == vector.frames.map(\.frame))
        switch vector.error {
        case nil:
            #expect(thrown == nil)
            #expect(buffer.readableBytes == 0)
        case .truncatedFrame?:
            #expect(thrown == nil)
            #expect(buffer.readableBytes > 0, "a partial frame stays in the buffer, unconsumed")
        case let code?:
            #expect(thrown?.code == code)
        }
    }

    @Test("encoding a vector's frames gives exactly its bytes", arguments: try TestVectors.load().filter { $0.error == nil })
    func vectorFramesEncodeToTheirBytes(_ vector: TestVector) {
        var encoded = ByteBuffer()
        for frame in vector.frames { FrameEncoder.encode(frame.frame, into: &encoded) }
        #expect(encoded == vector.bytes)
    }

    @Test("the encoder handler writes the same bytes as the static encoder")
    func encoderHandlerWritesFrames() throws {
        let channel = EmbeddedChannel(handler: MessageToByteHandler(FrameEncoder()))
        let vector = try TestVectors.named("two-frames-in-one-read")
        for frame in vector.frames { try channel.writeOutbound(frame.frame) }
        var written = ByteBuffer()
        while var chunk = try channel.readOutbound(as: ByteBuffer.self) { written.writeBuffer(&chunk) }
        #expect(written == vector.bytes)
        #expect(try channel.finish().isClean)
    }

    @Test("the fuzz seed corpus holds the bytes of every vector", arguments: try TestVectors.load())
    func seedCorpusMatchesVectors(_ vector: TestVector) throws {
        let file = TestVectors.packageRoot.appendingPathComponent("Fuzz/corpus/\(vector.name)")
        let bytes = try Data(contentsOf: file)
        #expect(Array(bytes) == Array(vector.reads.joined()), "Fuzz/corpus/\(vector.name) is stale: run `make fuzz-seeds`")
    }

    @Test("ByteToMessageDecoderVerifier accepts the decoder on the clean vectors")
    func decoderPassesTheVerifier() throws {
        let pairs = try TestVectors.load()
            .filter { $0.error == nil && $0.maximumFrameLength == FrameLimits.defaultMaximumFrameLength }
            .map { ($0.bytes, $0.frames.map(\.frame)) }
        #expect(pairs.count >= 8)
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: pairs, decoderFactory: { FrameDecoder() })
    }

    @Test("a 0x7FFFFFFF length prefix fails at once with frame_too_large and nothing is decoded after it")
    func hugeLengthPrefixFailsImmediately() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(FrameDecoder()))
        var prefix = ByteBuffer()
        prefix.writeInteger(UInt32(0x7FFF_FFFF))
        // The four length bytes alone must be enough: no waiting for (and buffering of) the 2 GiB body.
        let error = try #require(throws: HomelabError.self) { try channel.writeInbound(prefix) }
        #expect(error.code == .frameTooLarge)
        #expect(error.message.contains("2147483647"))
        // Whatever follows is never turned into frames.
        _ = try? channel.writeInbound(ByteBuffer(bytes: [0, 0, 0, 5, 2, 0, 0, 0, 1]))
        #expect(try channel.readInbound(as: Frame.self) == nil)
        _ = try? channel.finish()

        var buffer = prefix
        #expect(throws: HomelabError.self) { try FrameDecoder.decodeFrame(from: &buffer, maximumFrameLength: FrameLimits.defaultMaximumFrameLength) }
        #expect(buffer.readerIndex == 0, "decodeFrame consumes nothing when it refuses a frame")
    }

    @Test("a length prefix arriving one byte at a time is refused on its fourth byte")
    func oversizedPrefixByteByByte() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(FrameDecoder(maximumFrameLength: 1024)))
        for byte: UInt8 in [0x00, 0x00, 0x04] {
            try channel.writeInbound(ByteBuffer(bytes: [byte]))
        }
        let error = try #require(throws: HomelabError.self) { try channel.writeInbound(ByteBuffer(bytes: [0x01])) }
        #expect(error.code == .frameTooLarge)
        _ = try? channel.finish()
    }

    @Test("random bytes never crash the decoder: they give frames or a HomelabError")
    func garbageGivesFramesOrProtocolErrors() throws {
        var rng = SplitMix64(seed: 0x686f_6d65_6c61_62)
        for round in 0..<3000 {
            let input = Garbage.input(round: round, using: &rng)
            // Split at random points, as TCP might.
            var reads: [[UInt8]] = []
            var rest = input[...]
            while !rest.isEmpty {
                let n = Int.random(in: 1...max(1, rest.count), using: &rng)
                reads.append(Array(rest.prefix(n)))
                rest = rest.dropFirst(n)
            }
            let vector = TestVector(name: "garbage-\(round)", maximumFrameLength: 4096, reads: reads.isEmpty ? [[]] : reads)
            let outcome = try decodeThroughPipeline(vector)
            if let error = outcome.error {
                #expect(error is HomelabError, "round \(round): \(error) is not a HomelabError")
            }
            for case .message(let payload) in outcome.frames {
                do {
                    let message = try InboundMessage(payload: payload)
                    _ = try message.body(as: Hello.self)
                } catch {
                    #expect(error is HomelabError, "round \(round): \(error) is not a HomelabError")
                }
            }
            // Re-encoding what was decoded gives back the consumed prefix of the input.
            var encoded = ByteBuffer()
            for frame in outcome.frames { FrameEncoder.encode(frame, into: &encoded) }
            #expect(Array(encoded.readableBytesView) == Array(input.prefix(encoded.readableBytes)))
        }
    }
}
