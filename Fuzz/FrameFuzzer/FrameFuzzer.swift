import FoundationEssentials
import FuzzSupport
import NIOCore
import Protocol

/// Runs one input through the frame decoder and the envelope parser and reports what should never happen.
enum FrameFuzz {
    /// A small maximum, so that length prefixes near it are reachable with short inputs.
    static let maximumFrameLength = 64 * 1024

    /// Decodes every frame in `bytes`; returns a description of a bug, or nil when the input was handled.
    static func check(_ bytes: UnsafeRawBufferPointer) -> String? {
        var buffer = ByteBuffer(bytes: bytes)
        while true {
            let before = buffer
            let frame: Frame?
            do {
                frame = try FrameDecoder.decodeFrame(from: &buffer, maximumFrameLength: maximumFrameLength)
            } catch is HomelabError {
                return nil
            } catch {
                return "decodeFrame threw a non-HomelabError: \(error)"
            }
            guard let frame else {
                // Waiting for more bytes must leave the buffer untouched.
                return buffer == before ? nil : "decodeFrame consumed bytes but returned no frame"
            }
            // A decoded frame re-encodes to exactly the bytes it was read from.
            let consumed = before.getSlice(at: before.readerIndex, length: before.readableBytes - buffer.readableBytes)!
            var encoded = ByteBuffer()
            FrameEncoder.encode(frame, into: &encoded)
            guard encoded == consumed else { return "frame does not re-encode to its input bytes" }
            if case .message(let payload) = frame, let problem = checkMessage(payload) {
                return problem
            }
        }
    }

    /// Parses a kind-1 payload as an envelope and its body as `hello`; only ProtocolErrors may escape.
    static func checkMessage(_ payload: ByteBuffer) -> String? {
        do {
            let message = try InboundMessage(payload: payload)
            let hello = try message.body(as: Hello.self)
            // Whatever decoded must survive a round trip unchanged.
            let again = try InboundMessage(payload: WireCoding.encode(Envelope(id: message.header.id, type: message.header.type, body: hello)))
            guard try again.body(as: Hello.self) == hello else { return "hello does not round-trip" }
        } catch is HomelabError {
        } catch {
            return "message parsing threw a non-HomelabError: \(error)"
        }
        do {
            _ = try InboundMessage(payload: payload).body(as: HomelabError.self)
        } catch is HomelabError {
        } catch {
            return "error body parsing threw a non-HomelabError: \(error)"
        }
        return nil
    }
}

#if FUZZING
/// libFuzzer's entry point; libFuzzer supplies `main`.
@_cdecl("LLVMFuzzerTestOneInput")
public func frameFuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    if let problem = FrameFuzz.check(UnsafeRawBufferPointer(start: data, count: size)) {
        fatalError(problem)
    }
    return 0
}
#else

/// Corpus replayer: `FrameFuzzer FILE_OR_DIR...` runs every input once (see ``FuzzReplay``).
@main
struct FrameFuzzerReplay {
    static func main() { FuzzReplay.main(name: "FrameFuzzer", FrameFuzz.check) }
}
#endif
