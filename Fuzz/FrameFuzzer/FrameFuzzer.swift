import FoundationEssentials
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
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Corpus replayer: `FrameFuzzer FILE_OR_DIR...` runs every input once; exits 1 on the first
/// finding, 2 when an input cannot be read.
@main
struct FrameFuzzerReplay {
    /// A reason to stop replaying, with the exit status it leads to.
    struct Stop: Error {
        var message: String
        var status: Int32
    }

    static func main() {
        do {
            let count = try replay(CommandLine.arguments.dropFirst())
            print("replayed \(count) inputs, no findings")
        } catch {
            let line = Array("FrameFuzzer: \(error.message)\n".utf8)
            _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
            exit(error.status)
        }
    }

    /// Replays every input at `paths`; returns how many there were.
    static func replay(_ paths: ArraySlice<String>) throws(Stop) -> Int {
        guard !paths.isEmpty else {
            throw Stop(message: "usage: FrameFuzzer FILE_OR_DIRECTORY...", status: 2)
        }
        var count = 0
        for path in paths {
            for file in try inputs(at: path) {
                let bytes: Data
                do {
                    bytes = try Data(contentsOf: URL(fileURLWithPath: file))
                } catch {
                    throw Stop(message: "\(file): cannot read (\(error))", status: 2)
                }
                if let problem = bytes.withUnsafeBytes({ FrameFuzz.check($0) }) {
                    throw Stop(message: "\(file): \(problem)", status: 1)
                }
                count += 1
            }
        }
        return count
    }

    /// The files at `path`: itself, or the regular files directly inside it.
    static func inputs(at path: String) throws(Stop) -> [String] {
        var isDirectory = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw Stop(message: "\(path): no such file or directory", status: 2)
        }
        guard isDirectory else { return [path] }
        do {
            return try FileManager.default.contentsOfDirectory(atPath: path).sorted().map { "\(path)/\($0)" }
        } catch {
            throw Stop(message: "\(path): cannot list (\(error))", status: 2)
        }
    }
}
#endif
