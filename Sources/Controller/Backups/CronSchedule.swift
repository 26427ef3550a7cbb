import Foundation
import Protocol

/// A five-field cron schedule (`minute hour day-of-month month day-of-week`): `*`, numbers, ranges
/// `a-b`, steps `*/n` and `a-b/n`, and lists of those; day of week 0–7 (0 and 7 are Sunday). When
/// both days are restricted either one matches, as cron does.
struct CronSchedule: Sendable, Equatable {
    let minutes: Set<Int>, hours: Set<Int>, days: Set<Int>, months: Set<Int>, weekdays: Set<Int>
    let anyDay: Bool, anyWeekday: Bool

    /// Parses `text`; a bad field is a `bad_request` naming it.
    init(_ text: String) throws {
        let fields = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard fields.count == 5 else {
            throw HomelabError.badRequest("schedule '\(text)': cron has five fields (minute hour day-of-month month day-of-week)", field: "schedule")
        }
        minutes = try Self.field(fields[0], "minute", 0...59)
        hours = try Self.field(fields[1], "hour", 0...23)
        days = try Self.field(fields[2], "day of month", 1...31)
        months = try Self.field(fields[3], "month", 1...12)
        weekdays = Set(try Self.field(fields[4], "day of week", 0...7).map { $0 % 7 })
        anyDay = fields[2] == "*"
        anyWeekday = fields[4] == "*"
    }

    private static func field(_ text: String, _ name: String, _ range: ClosedRange<Int>) throws -> Set<Int> {
        var values = Set<Int>()
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let pieces = part.split(separator: "/", omittingEmptySubsequences: false)
            guard pieces.count <= 2 else { throw bad(text, name, range) }
            let step = try pieces.count == 2 ? Int(pieces[1]).flatMap { $0 > 0 ? $0 : nil } ?? { throw bad(text, name, range) }() : 1
            let span: ClosedRange<Int>
            if pieces[0] == "*" {
                span = range
            } else if let dash = pieces[0].firstIndex(of: "-") {
                guard let low = Int(pieces[0][..<dash]), let high = Int(pieces[0][pieces[0].index(after: dash)...]), low <= high else { throw bad(text, name, range) }
                span = low...high
            } else {
                guard let value = Int(pieces[0]) else { throw bad(text, name, range) }
                span = value...(pieces.count == 2 ? range.upperBound : value)
            }
            guard range.contains(span.lowerBound), range.contains(span.upperBound) else { throw bad(text, name, range) }
            values.formUnion(stride(from: span.lowerBound, through: span.upperBound, by: step))
        }
        return values
    }

    private static func bad(_ text: String, _ name: String, _ range: ClosedRange<Int>) -> HomelabError {
        HomelabError.badRequest("schedule: '\(text)' is not a \(name) field (\(range.lowerBound)-\(range.upperBound), *, a-b, */n, lists)", field: "schedule")
    }

    private func dayMatches(_ day: Int, weekday: Int) -> Bool {
        switch (anyDay, anyWeekday) {
        case (true, true): true
        case (false, true): days.contains(day)
        case (true, false): weekdays.contains(weekday)
        case (false, false): days.contains(day) || weekdays.contains(weekday)
        }
    }

    /// The latest time the schedule fires at or before `date` (within the last 400 days), in `calendar`.
    func latest(atOrBefore date: Date, calendar: Calendar) -> Date? {
        search(from: date, calendar: calendar, forward: false)
    }

    /// The first time the schedule fires after `date` (within the next 400 days), in `calendar`.
    func earliest(after date: Date, calendar: Calendar) -> Date? {
        search(from: date, calendar: calendar, forward: true)
    }

    private func search(from date: Date, calendar: Calendar, forward: Bool) -> Date? {
        let start = calendar.startOfDay(for: date)
        for offset in 0..<400 {
            guard let day = calendar.date(byAdding: .day, value: forward ? offset : -offset, to: start) else { return nil }
            let parts = calendar.dateComponents([.day, .month, .weekday], from: day)
            guard months.contains(parts.month!), dayMatches(parts.day!, weekday: parts.weekday! - 1) else { continue }
            for hour in hours.sorted(by: forward ? (<) : (>)) {
                for minute in minutes.sorted(by: forward ? (<) : (>)) {
                    guard let time = calendar.date(bySettingHour: hour, minute: minute, second: 0, of: day),
                          forward ? time > date : time <= date else { continue }
                    return time
                }
            }
        }
        return nil
    }
}
