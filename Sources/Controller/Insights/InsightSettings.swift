import Foundation

/// What the insights look for, and the automatic moves (docs/insights.md).
public struct InsightSettings: Sendable {
    /// A filling disk or RAM is reported when full within this many days (365).
    public var fullWithinDays: Double = 365
    /// A disk is reported from this share full, growing or not (80 %).
    public var nearlyFullPercent: Double = 80
    /// Fewest days of history a trend is fitted over (3).
    public var minimumTrendDays: Double = 3
    /// The temperature a device should stay under (70 °C).
    public var temperatureCelsius: Double = 70
    /// How long it must stay above it to be reported (1 h).
    public var temperatureWindow: TimeInterval = 3600
    /// RAM or disk use from which a device is overloaded (90 %).
    public var overloadPercent: Double = 90
    /// How long it must stay overloaded before a move is suggested (15 min).
    public var overloadAfter: TimeInterval = 900
    /// Reboots in a day that make a reboot loop (3), when also well above the device's usual rate.
    public var rebootsPerDay: Int = 3
    /// The time zone daily patterns and windows are told in.
    public var timeZone: TimeZone = .current
    /// How often the devices are asked for each app's usage and health (60 s).
    public var appSampleInterval: Duration = .seconds(60)
    /// Suggested moves are carried out on their own inside this window, when set (off by default); never for pinned apps.
    public var automaticMoves: DailyWindow?

    /// Creates the defaults.
    public init() {}
}
