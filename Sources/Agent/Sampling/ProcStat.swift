import Protocol

/// Parses `/proc/stat`: CPU counters and the boot time.
struct ProcStat: Sendable {
    /// The `cpu` line: all cores together.
    var total: CPUTimes?
    /// The `cpuN` lines by core number, in order.
    var cores: [(index: Int, times: CPUTimes)]
    /// `btime`: seconds since the epoch when the system booted.
    var bootTime: Int64?

    /// Parses the file's text.
    init(_ text: String) {
        total = nil
        cores = []
        bootTime = nil
        for line in text.split(separator: "\n") {
            let parts = line.fields
            guard let label = parts.first else { continue }
            if label == "cpu" {
                total = CPUTimes(counters: parts.dropFirst())
            } else if label.hasPrefix("cpu"), let index = Int(label.dropFirst(3)), let times = CPUTimes(counters: parts.dropFirst()) {
                cores.append((index, times))
            } else if label == "btime", parts.count > 1 {
                bootTime = Int64(parts[1])
            }
        }
        cores.sort { $0.index < $1.index }
    }

    /// Processor use between `earlier` and this reading, or `nil` when either lacks the `cpu` line.
    func usage(since earlier: ProcStat) -> CPUUsage? {
        guard let total, let earlierTotal = earlier.total else { return nil }
        let before = Dictionary(earlier.cores.map { ($0.index, $0.times) }, uniquingKeysWith: { first, _ in first })
        // A core that came online since the earlier reading has no interval yet, so it is left out.
        let perCore = cores.compactMap { core in before[core.index].map { core.times.busyPercent(since: $0) } }
        return CPUUsage(totalPercent: total.busyPercent(since: earlierTotal), perCorePercent: perCore)
    }
}
