import Agent
import FoundationEssentials
import FuzzSupport

/// Runs one byte string through the tar guard, whole and in pieces, and reports what should never happen.
enum TarGuardFuzz {
    /// Nil when the input was handled: the guard forwards only a prefix of what it was fed, and cutting the
    /// input into other pieces (sizes taken from its first byte) changes neither the verdict nor, when the
    /// archive is accepted, what is forwarded.
    static func check(_ bytes: UnsafeRawBufferPointer) -> String? {
        let input = Array(bytes)
        let whole = run(input, chunk: max(1, input.count))
        let pieces = run(input, chunk: 1 + Int(input.first ?? 0) % 700)
        if let problem = whole.problem ?? pieces.problem { return problem }
        for outcome in [whole, pieces] where outcome.output != Array(input.prefix(outcome.output.count)) {
            return "forwarded bytes that are not the input's prefix"
        }
        guard whole.accepted == pieces.accepted else { return "the verdict depends on how the input was cut" }
        // A rejected stream may have forwarded earlier pieces before the one that failed; an accepted one forwards all.
        guard !whole.accepted || whole.output == pieces.output else { return "the forwarded bytes depend on how the input was cut" }
        return nil
    }

    /// What feeding `input` in pieces of `chunk` bytes led to.
    struct Outcome {
        var accepted: Bool
        var output: [UInt8]
        var problem: String?
    }

    static func run(_ input: [UInt8], chunk: Int) -> Outcome {
        var guardian = TarStreamGuard(maximumEntries: 64)
        var output: [UInt8] = []
        do {
            var offset = 0
            while offset < input.count {
                output += try guardian.feed(input[offset..<min(input.count, offset + chunk)])
                offset += chunk
            }
            output += try guardian.finish()
            return Outcome(accepted: true, output: output)
        } catch {
            let stays = (try? guardian.feed([0])) == nil
            return Outcome(accepted: false, output: output, problem: stays ? nil : "a rejected stream took more bytes")
        }
    }
}

#if FUZZING
/// libFuzzer's entry point; libFuzzer supplies `main`.
@_cdecl("LLVMFuzzerTestOneInput")
public func tarGuardFuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    if let problem = TarGuardFuzz.check(UnsafeRawBufferPointer(start: data, count: size)) { fatalError(problem) }
    return 0
}
#else
/// Corpus replayer (see ``FuzzReplay``).
@main
struct TarGuardFuzzerReplay {
    static func main() { FuzzReplay.main(name: "TarGuardFuzzer", TarGuardFuzz.check) }
}
#endif
