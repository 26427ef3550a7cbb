import NIOCore
import NIOEmbedded
import Protocol

/// What a receiver made of a vector's reads.
struct DecodeOutcome {
    var frames: [Frame] = []
    var error: (any Error)?
    /// True when the error came from the end of input rather than from a read.
    var failedAtEOF = false

    var protocolError: HomelabError? { error as? HomelabError }
}

/// Feeds a vector read by read through `ByteToMessageHandler(FrameDecoder)`, then ends the input.
func decodeThroughPipeline(_ vector: TestVector) throws -> DecodeOutcome {
    let channel = EmbeddedChannel(handler: ByteToMessageHandler(FrameDecoder(maximumFrameLength: vector.maximumFrameLength)))
    var outcome = DecodeOutcome()
    func drain() throws {
        while let frame = try channel.readInbound(as: Frame.self) { outcome.frames.append(frame) }
    }
    for read in vector.reads {
        do {
            try channel.writeInbound(ByteBuffer(bytes: read))
        } catch {
            outcome.error = error
            try drain()
            _ = try? channel.finish()
            return outcome
        }
        try drain()
    }
    do {
        _ = try channel.finish()
    } catch {
        outcome.error = error
        outcome.failedAtEOF = true
    }
    try drain()
    return outcome
}
