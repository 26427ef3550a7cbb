/// Parses kernel CPU lists such as `0-3,6` (`/sys/devices/system/cpu/online`).
enum CPUList {
    /// How many CPUs the list names, or `nil` when it is malformed or empty.
    static func count(_ text: String) -> Int? {
        var total = 0
        for range in text.trimmed.split(separator: ",") {
            let bounds = range.split(separator: "-", omittingEmptySubsequences: false)
            guard let low = Int(bounds[0]) else { return nil }
            let high = bounds.count == 2 ? Int(bounds[1]) : low
            guard bounds.count <= 2, let high, high >= low else { return nil }
            total += high - low + 1
        }
        return total > 0 ? total : nil
    }
}
