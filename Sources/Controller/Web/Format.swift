import Foundation

/// Numbers and times as people read them: `3.1 GB`, `42 %`, `2 min ago` (with the absolute time beside it).
enum Format {
    /// Bytes in powers of 1024, as the scheduler's reasons and the CLI count them (a page shows both): `512 MB`,
    /// `3.1 GB`, `2 TB`.
    static func bytes(_ value: Double) -> String {
        let units = ["B", "KB", "MB", "GB", "TB", "PB"]
        var value = value
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        if unit == 0 { return "\(Int(value)) B" }
        return value < 10 ? "\(String(format: "%.1f", value)) \(units[unit])" : "\(Int(value.rounded())) \(units[unit])"
    }

    /// Bytes as an integer count.
    static func bytes<T: BinaryInteger>(_ value: T) -> String { bytes(Double(value)) }

    /// A rate: `1.2 MB/s`.
    static func rate(_ bytesPerSecond: Double) -> String { bytes(bytesPerSecond) + "/s" }

    /// A percentage without decimals: `42 %`.
    static func percent(_ value: Double) -> String { "\(Int(value.rounded())) %" }

    /// A duration in the largest unit that fits: `45 s`, `12 min`, `3 h`, `5 days`.
    static func duration(_ seconds: Double) -> String {
        let seconds = max(0, seconds)
        if seconds < 60 { return "\(Int(seconds)) s" }
        if seconds < 3600 { return "\(Int(seconds / 60)) min" }
        if seconds < 86400 { return "\(Int(seconds / 3600)) h" }
        let days = Int(seconds / 86400)
        return days == 1 ? "1 day" : "\(days) days"
    }

    /// `just now`, `2 min ago`, `in 3 h`.
    static func relative(_ date: Date, now: Date) -> String {
        let delta = now.timeIntervalSince(date)
        if abs(delta) < 10 { return "just now" }
        return delta > 0 ? "\(duration(delta)) ago" : "in \(duration(-delta))"
    }

    /// The absolute time people see on hover: `2026-12-01 10:00:00 UTC`.
    static func absolute(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(dateSeparator: .dash, dateTimeSeparator: .space, timeZone: .gmt)).replacingOccurrences(of: "Z", with: " UTC")
    }

    /// The machine-readable time of a `<time datetime>` element.
    static func iso(_ date: Date) -> String { date.formatted(.iso8601) }
}

/// A time shown relative, with the absolute time on hover and the ISO time for the page's script to refresh.
struct TimeView: Sendable {
    /// `2 min ago`.
    var relative: String
    /// `2026-12-01 10:00:00 UTC`.
    var absolute: String
    /// ISO 8601.
    var iso: String

    /// The view of `date`, as of `now`.
    init(_ date: Date, now: Date) {
        relative = Format.relative(date, now: now)
        absolute = Format.absolute(date)
        iso = Format.iso(date)
    }
}
