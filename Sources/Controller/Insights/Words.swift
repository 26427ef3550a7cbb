import Foundation
import Scheduler

/// Figures as the insights and alerts say them.
enum Words {
    /// `512 MB`, `7.5 GB`, `2 TB`, as the scheduler's reasons write them.
    static func bytes(_ value: Double) -> String { Bytes.words(value < Double(Int64.max) ? Int64(max(0, value)) : .max) }

    /// One decimal, none when whole or from 10 on: `7.5`, `8`, `12`.
    static func decimal(_ value: Double) -> String {
        if value >= 10 { return String(Int(value.rounded())) }
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }

    /// A whole percentage: `93 %`.
    static func percent(_ value: Double) -> String { "\(Int(value.rounded())) %" }

    /// `about 3 days`, `about 10 weeks`, `about 6 months`, `about 2 years`; `less than a day` below one.
    static func about(days: Double) -> String {
        func unit(_ count: Double, _ name: String) -> String {
            let whole = max(1, Int(count.rounded()))
            return "about \(whole) \(name)\(whole == 1 ? "" : "s")"
        }
        if days < 1 { return "less than a day" }
        if days < 14 { return unit(days, "day") }
        if days < 120 { return unit(days / 7, "week") }
        if days < 730 { return unit(days / 30.4, "month") }
        return unit(days / 365, "year")
    }

    /// A growth rate in the unit that reads best beside a time to full: `4 GB a week`.
    static func growth(bytesPerDay: Double, daysToFull: Double) -> String {
        if daysToFull < 14 || bytesPerDay * 7 >= 1_099_511_627_776 { return "\(bytes(bytesPerDay)) a day" }
        if daysToFull < 180 { return "\(bytes(bytesPerDay * 7)) a week" }
        return "\(bytes(bytesPerDay * 30.4)) a month"
    }

    /// How long ago, roughly: `40 min`, `5 h`, `about 3 days`.
    static func age(_ seconds: TimeInterval) -> String {
        if seconds < 7200 { return "\(max(1, Int((seconds / 60).rounded()))) min" }
        if seconds < 86_400 { return "\(Int((seconds / 3600).rounded())) h" }
        return about(days: seconds / 86_400)
    }

    /// `5 min`, `2 h`, `90 s`: a configured span.
    static func span(_ seconds: TimeInterval) -> String {
        if seconds >= 7200, seconds.truncatingRemainder(dividingBy: 3600) == 0 { return "\(Int(seconds / 3600)) h" }
        if seconds >= 120 { return "\(Int((seconds / 60).rounded())) min" }
        return "\(Int(seconds.rounded())) s"
    }
}
