import Foundation
import GRDB
import Protocol
import Synchronization

/// The metrics history: every value goes into one bucket of each rung of the ladder (sum, count and maximum, so
/// the average and maximum of each bucket are exact), in the same transaction as the sample it comes from; old
/// buckets are deleted by ``prune(now:in:)``. Reads pick the finest rung kept for the whole range asked.
public final class MetricsHistory: Sendable {
    /// Where it is kept.
    let store: Store
    /// The resolutions kept.
    public let ladder: HistoryLadder
    /// Series ids and the capacity stored with them, so a sample costs no lookup.
    private let known = Mutex<[SeriesKey: (id: Int64, capacity: Double?)]>([:])

    /// Creates a history in `store` over the given ladder.
    public init(store: Store, ladder: HistoryLadder = .standard) {
        self.store = store
        self.ladder = ladder
    }

    /// The mean of `name` per device (by id) over the last `window` seconds: one indexed read for every device, for
    /// the scheduler's windowed averages and the health of CPU. See ``deviceAverages(_:window:now:in:)``.
    public func averages(_ name: MetricsSeriesName, window: TimeInterval, now: Date = Date()) async throws -> [String: Double] {
        try await store.read { [self] db in try deviceAverages(name, window: Int(window), now: now, in: db) }
    }

    /// A device's series over `range` (see ``query(_:names:range:now:in:)``).
    public func device(_ id: String, names: [MetricsSeriesName], range: MetricsRange, now: Date = Date()) async throws
        -> (resolution: Int, series: [MetricsSeries]) {
        try await store.read { [self] db in try query(.device(id), names: names, range: range, now: now, in: db) }
    }

    /// A deployment's series over `range`.
    public func deployment(_ id: String, names: [MetricsSeriesName], range: MetricsRange, now: Date = Date()) async throws
        -> (resolution: Int, series: [MetricsSeries]) {
        try await store.read { [self] db in try query(.deployment(id), names: names, range: range, now: now, in: db) }
    }

    /// Deletes the buckets past their rung's retention (see ``prune(now:in:)``).
    @discardableResult
    public func prune(now: Date = Date()) async throws -> Int {
        try await store.write { [self] db in try prune(now: now, in: db) }
    }

    // MARK: Writing

    /// Adds a device sample (and the network rate since `previous`) to the device's series, in a write transaction.
    func record(device id: String, sample: MetricsSample, previous: MetricsSample?, at now: Date, in db: Database) throws {
        for value in SeriesValues.device(sample, previous: previous) {
            try add(value, to: .device(id), at: now, in: db)
        }
    }

    /// Adds one value to every rung of its series.
    func add(_ value: SeriesValue, to subject: HistorySubject, at time: Date, in db: Database) throws {
        guard value.value.isFinite else { return }
        let series = try seriesID(SeriesKey(subject: subject, name: value.name, label: value.label), capacity: value.capacity, in: db)
        let rows = Array(repeating: "(?, ?, ?, ?, 1, ?)", count: ladder.rungs.count).joined(separator: ", ")
        let statement = try db.cachedStatement(sql: """
            INSERT INTO metricsRollup (series, resolution, bucket, sum, count, max) VALUES \(rows)
            ON CONFLICT (series, resolution, bucket) DO UPDATE SET
              sum = sum + excluded.sum, count = count + excluded.count, max = MAX(max, excluded.max)
            """)
        var arguments: [(any DatabaseValueConvertible)?] = []
        for rung in ladder.rungs {
            arguments += [series, rung.resolution, rung.bucket(time), value.value, value.value]
        }
        try statement.execute(arguments: StatementArguments(arguments))
    }

    /// The id of a series, created on first use; its capacity is updated when it changed. The cache learns only what a
    /// committed transaction wrote: a series made by a transaction that rolls back is not remembered.
    private func seriesID(_ key: SeriesKey, capacity: Double?, in db: Database) throws -> Int64 {
        if let cached = known.withLock({ $0[key] }) {
            if cached.capacity != capacity, let capacity {
                try db.execute(sql: "UPDATE metricsSeries SET capacity = ? WHERE id = ?", arguments: [capacity, cached.id])
                remember(key, (cached.id, capacity), in: db)
            }
            return cached.id
        }
        let id: Int64
        if let existing = try MetricsSeriesRecord.filter(Column("subjectKind") == key.subject.kind && Column("subjectID") == key.subject.id
                                                           && Column("name") == key.name.rawValue && Column("label") == key.label).fetchOne(db),
           let existingID = existing.id {
            id = existingID
            if existing.capacity != capacity, let capacity {
                try db.execute(sql: "UPDATE metricsSeries SET capacity = ? WHERE id = ?", arguments: [capacity, id])
            }
        } else {
            var record = MetricsSeriesRecord(id: nil, subjectKind: key.subject.kind, subjectID: key.subject.id, name: key.name.rawValue,
                                             label: key.label, capacity: capacity)
            try record.insert(db)
            id = record.id ?? db.lastInsertedRowID
        }
        remember(key, (id, capacity), in: db)
        return id
    }

    /// Caches a series' id and capacity once the current transaction commits.
    private func remember(_ key: SeriesKey, _ value: (id: Int64, capacity: Double?), in db: Database) {
        db.afterNextTransaction(onCommit: { [self] _ in known.withLock { $0[key] = value } })
    }

    /// Deletes every bucket whose rung no longer keeps it, and the series of devices and deployments that are gone;
    /// returns the buckets deleted.
    @discardableResult
    func prune(now: Date, in db: Database) throws -> Int {
        let series = try Int64.fetchAll(db, sql: "SELECT id FROM metricsSeries")
        var deleted = 0
        let statement = try db.cachedStatement(sql: "DELETE FROM metricsRollup WHERE series = ? AND resolution = ? AND bucket < ?")
        for id in series {
            for rung in ladder.rungs {
                try statement.execute(arguments: [id, rung.resolution, rung.oldestKept(at: now)])
                deleted += db.changesCount
            }
        }
        // Rungs no longer in the ladder (a shorter ladder configured since), and series whose subject is gone.
        try db.execute(sql: "DELETE FROM metricsRollup WHERE resolution NOT IN (\(ladder.rungs.map { String($0.resolution) }.joined(separator: ",")))")
        deleted += db.changesCount
        try db.execute(sql: """
            DELETE FROM metricsSeries WHERE (subjectKind = 'device' AND subjectID NOT IN (SELECT id FROM device))
              OR (subjectKind = 'deployment' AND subjectID NOT IN (SELECT id FROM deployment))
              OR NOT EXISTS (SELECT 1 FROM metricsRollup WHERE series = metricsSeries.id)
            """)
        if db.changesCount > 0 { known.withLock { $0.removeAll() } }
        return deleted
    }

    // MARK: Reading

    /// The series of `subject` named `names` over `range`, at the finest resolution kept for the whole range.
    func query(_ subject: HistorySubject, names: [MetricsSeriesName], range: MetricsRange, now: Date, in db: Database) throws
        -> (resolution: Int, series: [MetricsSeries]) {
        let rung = ladder.rung(covering: range.seconds)
        let since = rung.bucket(now.addingTimeInterval(-TimeInterval(range.seconds)))
        let records = try MetricsSeriesRecord.filter(Column("subjectKind") == subject.kind && Column("subjectID") == subject.id)
            .order(Column("label")).fetchAll(db)
        var out: [MetricsSeries] = []
        for name in names {
            for record in records where record.name == name.rawValue {
                let rows = try rollups(series: record.id ?? 0, resolution: rung.resolution, since: since, in: db)
                out.append(MetricsSeries(name: name, mount: name == .disk ? record.label : nil, capacity: record.capacity, points: rows.map(\.point)))
            }
        }
        return (rung.resolution, out)
    }

    /// The buckets of one series at one resolution from `since` on, oldest first.
    func rollups(series: Int64, resolution: Int, since: Int64, in db: Database) throws -> [RollupRow] {
        try RollupRow.fetchAll(db, sql: """
            SELECT bucket, sum, count, max FROM metricsRollup WHERE series = ? AND resolution = ? AND bucket >= ? ORDER BY bucket
            """, arguments: [series, resolution, since])
    }

    /// The buckets of a subject's series at the finest rung kept for `seconds`, from `seconds` ago on, with the series'
    /// capacity; empty when the series has no history.
    func recent(_ key: SeriesKey, seconds: Int, now: Date, in db: Database) throws -> (rung: HistoryRung, rows: [RollupRow], capacity: Double?) {
        try recent(key, rung: ladder.rung(covering: seconds), seconds: seconds, now: now, in: db)
    }

    /// The buckets of a subject's series at `rung` from `seconds` ago on, with the series' capacity.
    func recent(_ key: SeriesKey, rung: HistoryRung, seconds: Int, now: Date, in db: Database) throws
        -> (rung: HistoryRung, rows: [RollupRow], capacity: Double?) {
        let found: (id: Int64, capacity: Double?)
        if let cached = known.withLock({ $0[key] }) {
            found = cached
        } else {
            guard let record = try MetricsSeriesRecord.filter(Column("subjectKind") == key.subject.kind && Column("subjectID") == key.subject.id
                                                                && Column("name") == key.name.rawValue && Column("label") == key.label).fetchOne(db),
                  let id = record.id else { return (rung, [], nil) }
            found = (id, record.capacity)
        }
        let rows = try rollups(series: found.id, resolution: rung.resolution, since: rung.bucket(now.addingTimeInterval(-TimeInterval(seconds))), in: db)
        return (rung, rows, found.capacity)
    }

    /// The series of a subject, with their labels and capacities.
    func series(of subject: HistorySubject, named name: MetricsSeriesName, in db: Database) throws -> [MetricsSeriesRecord] {
        try MetricsSeriesRecord.filter(Column("subjectKind") == subject.kind && Column("subjectID") == subject.id && Column("name") == name.rawValue)
            .order(Column("label")).fetchAll(db)
    }

    /// The mean of every sample of `name` each device reported over the last `window` seconds, by device id, read from
    /// the finest rung kept that long, from the bucket holding the window's start. Disks have one series per mount
    /// point and are not averaged here.
    func deviceAverages(_ name: MetricsSeriesName, window: Int, now: Date, in db: Database) throws -> [String: Double] {
        let rung = ladder.rung(covering: window)
        let rows = try Row.fetchAll(db, sql: """
            SELECT s.subjectID AS device, SUM(r.sum) / SUM(r.count) AS average FROM metricsRollup r JOIN metricsSeries s ON s.id = r.series
            WHERE s.subjectKind = 'device' AND s.name = ? AND s.label = '' AND r.resolution = ? AND r.bucket >= ?
            GROUP BY s.subjectID
            """, arguments: [name.rawValue, rung.resolution, rung.bucket(now.addingTimeInterval(-TimeInterval(window)))])
        return Dictionary(rows.map { ($0["device"] as String, $0["average"] as Double) }) { first, _ in first }
    }

    /// The newest finest-rung value of every unlabelled series of `kind` subjects (`device`, `deployment`) that reported
    /// within `seconds`, by subject id and series.
    func latest(_ kind: String, within seconds: Int, now: Date) async throws -> [String: [MetricsSeriesName: Double]] {
        let rung = ladder.finest
        let since = rung.bucket(now.addingTimeInterval(-TimeInterval(seconds)))
        return try await store.read { db in
            var out: [String: [MetricsSeriesName: Double]] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT s.subjectID AS subject, s.name AS name, r.sum / r.count AS value FROM metricsSeries s
                JOIN metricsRollup r ON r.series = s.id AND r.resolution = ?
                  AND r.bucket = (SELECT MAX(bucket) FROM metricsRollup WHERE series = s.id AND resolution = ?)
                WHERE s.subjectKind = ? AND s.label = '' AND r.bucket >= ?
                """, arguments: [rung.resolution, rung.resolution, kind, since]) {
                if let name = MetricsSeriesName(rawValue: row["name"]) { out[row["subject"], default: [:]][name] = row["value"] }
            }
            return out
        }
    }
}
