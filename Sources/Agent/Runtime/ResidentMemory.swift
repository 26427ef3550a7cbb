#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Keeps the agent's resident set close to the code it actually runs.
///
/// The static binary is ~27 MB and its code is mapped from the file. By default the kernel maps
/// neighbouring pages around every page fault ("fault-around") and reads ahead, so most of the
/// binary ends up resident although a sampling loop touches a small part of it. Marking the
/// binary's own mappings `MADV_RANDOM` asks for just the faulting page; `MADV_PAGEOUT` after start-up
/// lets the kernel drop the pages start-up needed once. Both are hints: they change no behaviour.
public enum ResidentMemory {
    /// Applies `MADV_RANDOM` to every mapping of the running executable.
    public static func preferRandomAccess() { advise(MADV_RANDOM) }

    /// Unmaps the executable's resident pages once start-up is over; the ones still used fault back
    /// in one by one (they are clean file pages: nothing is written, nothing is lost).
    public static func releaseStartupPages() { advise(21) } // MADV_PAGEOUT, Linux 5.4+; ignored elsewhere

    private static func advise(_ advice: Int32) {
        guard let executable = SystemFiles.readLink("/proc/self/exe"), let maps = SystemFiles.read("/proc/self/maps") else { return }
        for line in maps.split(separator: "\n") where line.hasSuffix(executable) {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 2, !fields[1].contains("w") else { continue }
            let range = fields[0].split(separator: "-")
            guard range.count == 2, let start = UInt(range[0], radix: 16), let end = UInt(range[1], radix: 16), end > start,
                  let address = UnsafeMutableRawPointer(bitPattern: start) else { continue }
            _ = madvise(address, Int(end - start), advice)
        }
    }
}
