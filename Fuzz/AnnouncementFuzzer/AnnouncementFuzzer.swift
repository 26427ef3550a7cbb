import FoundationEssentials
import FuzzSupport
import Protocol

/// Runs one datagram through the discovery announcement parser and reports what should never happen.
enum AnnouncementFuzz {
    /// Nil when the input was handled: refused with a rejection, or read as an announcement that survives a round trip.
    static func check(_ bytes: UnsafeRawBufferPointer) -> String? {
        let announcement: Announcement
        do {
            announcement = try AnnouncementCodec.decode(Array(bytes))
        } catch {
            return nil
        }
        guard bytes.count <= AnnouncementCodec.maximumSize else { return "an oversized datagram was read" }
        let encoded = AnnouncementCodec.encode(announcement)
        guard let again = try? AnnouncementCodec.decode(encoded) else { return "an accepted announcement does not decode after encoding" }
        guard again == announcement else { return "an announcement does not round-trip" }
        for text in [announcement.hostname, announcement.version, announcement.id] where text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            return "a control character got through: \(text.debugDescription)"
        }
        return nil
    }
}

#if FUZZING
/// libFuzzer's entry point; libFuzzer supplies `main`.
@_cdecl("LLVMFuzzerTestOneInput")
public func announcementFuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    if let problem = AnnouncementFuzz.check(UnsafeRawBufferPointer(start: data, count: size)) { fatalError(problem) }
    return 0
}
#else
/// Corpus replayer (see ``FuzzReplay``).
@main
struct AnnouncementFuzzerReplay {
    static func main() { FuzzReplay.main(name: "AnnouncementFuzzer", AnnouncementFuzz.check) }
}
#endif
