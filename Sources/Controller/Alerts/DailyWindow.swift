import Foundation

/// A span of every day in a time zone, `22:00-07:00` (it may cross midnight): quiet hours, the window for
/// automatic moves.
public struct DailyWindow: Sendable, Equatable, CustomStringConvertible {
    /// Minutes after midnight it starts and ends (the end not included); equal means the whole day.
    public let start: Int, end: Int
    /// The zone its clock times are in.
    public let timeZone: TimeZone

    /// Parses `HH:MM-HH:MM`; the error says what was expected.
    public init(parsing text: String, timeZone: TimeZone) throws {
        let parts = text.split(separator: "-").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, let start = Self.minutes(parts[0]), let end = Self.minutes(parts[1]) else {
            throw DailyWindowError("'\(text)' is not a daily window like 22:00-07:00")
        }
        self.start = start
        self.end = end
        self.timeZone = timeZone
    }

    /// `22:00-07:00`.
    public var description: String { "\(Self.clock(start))-\(Self.clock(end))" }

    /// Whether `date` falls inside.
    public func contains(_ date: Date) -> Bool {
        let minute = minuteOfDay(date)
        if start == end { return true }
        return start < end ? (minute >= start && minute < end) : (minute >= start || minute < end)
    }

    /// The first moment at or after `date` outside the window: `date` itself when outside, else the window's end.
    public func nextEnd(after date: Date) -> Date {
        guard contains(date), start != end else { return date }
        let minute = minuteOfDay(date)
        let ahead = (end - minute + 1440) % 1440
        let seconds = Int(date.timeIntervalSince1970.rounded(.down)) % 60
        return date.addingTimeInterval(TimeInterval(ahead * 60 - seconds))
    }

    private func minuteOfDay(_ date: Date) -> Int {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.hour, .minute], from: date)
        return (parts.hour ?? 0) * 60 + (parts.minute ?? 0)
    }

    private static func minutes(_ text: String) -> Int? {
        let parts = text.split(separator: ":")
        guard parts.count == 2, parts[0].count <= 2, parts[1].count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]),
              (0...23).contains(hour) || (hour == 24 && minute == 0), (0...59).contains(minute) else { return nil }
        return (hour * 60 + minute) % 1440
    }

    private static func clock(_ minutes: Int) -> String {
        let hour = minutes / 60, minute = minutes % 60
        return (hour < 10 ? "0" : "") + "\(hour):" + (minute < 10 ? "0" : "") + "\(minute)"
    }
}

/// A daily window that does not parse.
public struct DailyWindowError: Error, CustomStringConvertible {
    /// What is wrong.
    public let description: String
    init(_ description: String) { self.description = description }
}
