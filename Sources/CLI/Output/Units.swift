import Foundation

/// Formats bytes, durations, percentages and times the way the tables show them.
public enum Units {
    /// Bytes in binary units with one decimal below 10: `512B`, `1.2G`, `38G`.
    public static func bytes(_ value: UInt64) -> String {
        let units = ["B", "K", "M", "G", "T", "P", "E"]
        var amount = Double(value)
        var index = 0
        while amount >= 1024, index < units.count - 1 {
            amount /= 1024
            index += 1
        }
        if index == 0 { return "\(value)B" }
        // 9.96 rounds to 10.0: show it as "10" like every other two-digit amount.
        if amount < 9.95 { return String(format: "%.1f", amount) + units[index] }
        if amount.rounded() >= 1024, index < units.count - 1 { return "1.0\(units[index + 1])" }
        return "\(Int(amount.rounded()))\(units[index])"
    }

    /// `used/total` in binary units: `1.2G/3.8G`.
    public static func usage(used: UInt64, total: UInt64) -> String {
        "\(bytes(used))/\(bytes(total))"
    }

    /// A whole percentage: `12%`.
    public static func percent(_ value: Double) -> String {
        "\(Int(value.rounded()))%"
    }

    /// A share of a total as a whole percentage, `-` for an empty total.
    public static func share(_ part: UInt64, of total: UInt64) -> String {
        total == 0 ? "-" : percent(Double(part) / Double(total) * 100)
    }

    /// Degrees Celsius, whole: `48°C`.
    public static func celsius(_ value: Double) -> String {
        "\(Int(value.rounded()))°C"
    }

    /// A duration in its two largest units: `45s`, `12m`, `5h12m`, `3d4h`.
    public static func duration(seconds: Double) -> String {
        let total = max(0, Int(seconds.rounded(.down)))
        let days = total / 86_400, hours = total % 86_400 / 3600, minutes = total % 3600 / 60
        if days > 0 { return hours > 0 ? "\(days)d\(hours)h" : "\(days)d" }
        if hours > 0 { return minutes > 0 ? "\(hours)h\(minutes)m" : "\(hours)h" }
        if minutes > 0 { return "\(minutes)m" }
        return "\(total)s"
    }

    /// How far a time is from now, in its largest unit: `5s ago`, `4d ago`, or `in 23h` for the future.
    public static func ago(_ date: Date, now: Date) -> String {
        let seconds = now.timeIntervalSince(date)
        if seconds < 0 { return "in \(largestUnit(-seconds))" }
        return "\(largestUnit(seconds)) ago"
    }

    /// A duration in its largest whole unit: `5s`, `3m`, `2h`, `4d`.
    public static func largestUnit(_ seconds: Double) -> String {
        let total = max(0, Int(seconds.rounded(.down)))
        if total >= 86_400 { return "\(total / 86_400)d" }
        if total >= 3600 { return "\(total / 3600)h" }
        if total >= 60 { return "\(total / 60)m" }
        return "\(total)s"
    }

    /// A time as UTC ISO 8601, seconds precision: `2025-03-01T10:00:00Z`.
    public static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601)
    }

    /// A number with up to two decimals and no trailing zeros: `0.5`, `1.25`, `3`.
    public static func decimal(_ value: Double) -> String {
        var text = String(format: "%.2f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}
