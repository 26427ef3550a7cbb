import Foundation

/// One resolution of the metrics history and how long its buckets are kept.
public struct HistoryRung: Sendable, Equatable, CustomStringConvertible {
    /// Seconds per bucket.
    public var resolution: Int
    /// Seconds a bucket is kept after it ends.
    public var retention: Int

    /// Creates a rung.
    public init(resolution: Int, retention: Int) {
        self.resolution = resolution
        self.retention = retention
    }

    /// `1m:1h`.
    public var description: String { "\(HistoryLadder.words(resolution)):\(HistoryLadder.words(retention))" }

    /// The start of the bucket `time` falls in (buckets are aligned on the Unix epoch, so on UTC days).
    func bucket(_ time: Date) -> Int64 {
        let seconds = Int64(time.timeIntervalSince1970.rounded(.down))
        let resolution = Int64(self.resolution)
        return seconds >= 0 ? seconds / resolution * resolution : (seconds - resolution + 1) / resolution * resolution
    }

    /// The start of the oldest bucket still kept at `now`: a bucket is deleted once it ended `retention` ago.
    func oldestKept(at now: Date) -> Int64 {
        Int64(now.timeIntervalSince1970.rounded(.down)) - Int64(retention) - Int64(resolution) + 1
    }
}

/// The resolutions the history keeps, finest first: every sample is added to one bucket of each.
public struct HistoryLadder: Sendable, Equatable, CustomStringConvertible {
    /// Finest first.
    public let rungs: [HistoryRung]

    /// Beszel's ladder (1 min kept 1 h, 10 min kept 12 h, 20 min kept 24 h, 8 h kept 30 days) with its 2 h kept 7 days
    /// made 1 h kept 8 days (daily patterns need hours over a week) and 1 day kept a year beyond it.
    public static let standard = HistoryLadder(unchecked: [
        HistoryRung(resolution: 60, retention: 3600),
        HistoryRung(resolution: 600, retention: 12 * 3600),
        HistoryRung(resolution: 1200, retention: 86_400),
        HistoryRung(resolution: 3600, retention: 8 * 86_400),
        HistoryRung(resolution: 8 * 3600, retention: 30 * 86_400),
        HistoryRung(resolution: 86_400, retention: 365 * 86_400),
    ])

    private init(unchecked rungs: [HistoryRung]) { self.rungs = rungs }

    /// A ladder from rungs in any order; refuses an empty ladder, a resolution under a second, a retention shorter
    /// than its resolution and two rungs of one resolution.
    public init(_ rungs: [HistoryRung]) throws {
        let sorted = rungs.sorted { $0.resolution < $1.resolution }
        guard !sorted.isEmpty else { throw HistoryLadderError("the history needs at least one resolution") }
        for rung in sorted {
            guard rung.resolution >= 1 else { throw HistoryLadderError("a resolution must be a second or more, got \(rung.resolution) s") }
            guard rung.retention >= rung.resolution else {
                throw HistoryLadderError("\(rung): a resolution must be kept at least as long as one bucket")
            }
        }
        if let twice = zip(sorted, sorted.dropFirst()).first(where: { $0.resolution == $1.resolution }) {
            throw HistoryLadderError("two rungs have the resolution \(Self.words(twice.0.resolution))")
        }
        self.rungs = sorted
    }

    /// Parses `RESOLUTION:RETENTION` pairs such as `1m:1h`, `1d:2y` (units s, m, h, d, w, y).
    public init(parsing pairs: [String]) throws {
        try self.init(pairs.map { pair in
            let parts = pair.split(separator: ":").map(String.init)
            guard parts.count == 2, let resolution = Self.seconds(parts[0]), let retention = Self.seconds(parts[1]) else {
                throw HistoryLadderError("'\(pair)' is not RESOLUTION:RETENTION, like 1m:1h or 1d:1y")
            }
            return HistoryRung(resolution: resolution, retention: retention)
        })
    }

    /// `1m:1h, 10m:12h, …`.
    public var description: String { rungs.map(\.description).joined(separator: ", ") }

    /// The rung a query over the last `seconds` reads: the finest one kept for the whole span, else the one kept longest.
    public func rung(covering seconds: Int) -> HistoryRung {
        rungs.first { $0.retention >= seconds } ?? rungs.max { $0.retention < $1.retention }!
    }

    /// The finest rung.
    public var finest: HistoryRung { rungs[0] }

    /// `90s`, `5m`, `12h`, `8d`, `1y`: the largest unit that divides `seconds`.
    static func words(_ seconds: Int) -> String {
        for (unit, size) in [("y", 365 * 86_400), ("w", 7 * 86_400), ("d", 86_400), ("h", 3600), ("m", 60)] where seconds % size == 0 {
            return "\(seconds / size)\(unit)"
        }
        return "\(seconds)s"
    }

    /// `90s`, `5m`, `12h`, `8d`, `2w`, `1y` in seconds; nil when it does not parse or is not positive.
    static func seconds(_ text: String) -> Int? {
        let units: [Character: Int] = ["s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 7 * 86_400, "y": 365 * 86_400]
        guard let unit = text.last, let size = units[unit], let count = Int(text.dropLast()), count > 0 else { return nil }
        return count * size
    }
}

/// A ladder that cannot be used, and why.
public struct HistoryLadderError: Error, CustomStringConvertible {
    /// What is wrong.
    public let description: String
    init(_ description: String) { self.description = description }
}
