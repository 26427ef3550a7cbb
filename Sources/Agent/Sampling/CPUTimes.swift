/// Cumulative jiffies of one `cpu` line of `/proc/stat`.
struct CPUTimes: Equatable, Sendable {
    /// Time spent idle or waiting for I/O.
    var idle: UInt64
    /// All time accounted (user, nice, system, idle, iowait, irq, softirq, steal).
    var total: UInt64

    /// Reads the counters after the `cpu`/`cpuN` label, or `nil` when fewer than four are present.
    init?<Counters: Collection>(counters: Counters) where Counters.Element: StringProtocol {
        // guest and guest_nice are already included in user and nice, so only the first eight count.
        let numbers = counters.prefix(8).compactMap { UInt64($0) }
        guard numbers.count >= 4 else { return nil }
        idle = numbers[3] + (numbers.count > 4 ? numbers[4] : 0)
        total = numbers.reduce(0, +)
    }

    /// Creates counters from known values.
    init(idle: UInt64, total: UInt64) {
        self.idle = idle
        self.total = total
    }

    /// Percent of the time between `earlier` and these counters that was not idle, in 0...100.
    func busyPercent(since earlier: CPUTimes) -> Double {
        // Counters can step backwards (iowait does on some kernels); treat that as no time passing.
        let elapsed = total > earlier.total ? total - earlier.total : 0
        let idled = idle > earlier.idle ? idle - earlier.idle : 0
        guard elapsed > 0 else { return 0 }
        let busy = elapsed > idled ? elapsed - idled : 0
        return min(100, Double(busy) * 100 / Double(elapsed))
    }
}
