/// One line of `restic backup --json`: a progress status, the final summary, or an error about one item.
public struct ResticBackupMessage: Decodable, Sendable, Equatable {
    /// `status`, `summary`, `error` or `verbose_status`.
    public var messageType: String
    public var secondsElapsed: Double?
    public var secondsRemaining: Double?
    public var percentDone: Double?
    public var totalFiles: UInt64?
    public var filesDone: UInt64?
    public var totalBytes: UInt64?
    public var bytesDone: UInt64?
    // summary
    public var filesNew: UInt64?
    public var filesChanged: UInt64?
    public var filesUnmodified: UInt64?
    public var dataAdded: UInt64?
    public var totalFilesProcessed: UInt64?
    public var totalBytesProcessed: UInt64?
    public var totalDuration: Double?
    /// restic 0.14 reports the short id here.
    public var snapshotID: String?
    // error
    public var item: String?
    public var during: String?
    public var error: ItemError?

    /// The `error` object of an error message.
    public struct ItemError: Decodable, Sendable, Equatable {
        public var message: String?
        public var op: String?
        public var path: String?
    }

    enum CodingKeys: String, CodingKey {
        case messageType = "message_type"
        case secondsElapsed = "seconds_elapsed", secondsRemaining = "seconds_remaining", percentDone = "percent_done"
        case totalFiles = "total_files", filesDone = "files_done", totalBytes = "total_bytes", bytesDone = "bytes_done"
        case filesNew = "files_new", filesChanged = "files_changed", filesUnmodified = "files_unmodified", dataAdded = "data_added"
        case totalFilesProcessed = "total_files_processed", totalBytesProcessed = "total_bytes_processed", totalDuration = "total_duration"
        case snapshotID = "snapshot_id"
        case item, during, error
    }

    /// The parts of a status that change while restic makes headway (the clock excluded).
    var headway: [UInt64] { [totalFiles ?? 0, filesDone ?? 0, totalBytes ?? 0, bytesDone ?? 0] }
}

/// A snapshot as `restic snapshots --json` lists it.
public struct ResticSnapshot: Decodable, Sendable, Equatable {
    /// The full id.
    public var id: String
    public var shortID: String?
    /// RFC 3339 with nanoseconds, as restic writes it.
    public var time: String
    public var paths: [String]
    public var hostname: String?
    public var tags: [String]?
    public var parent: String?
    public var tree: String?

    enum CodingKeys: String, CodingKey {
        case id, time, paths, hostname, tags, parent, tree
        case shortID = "short_id"
    }

    /// The value of the `key=value` tag, if the snapshot has one.
    public func tag(_ key: String) -> String? {
        (tags ?? []).first { $0.hasPrefix(key + "=") }.map { String($0.dropFirst(key.count + 1)) }
    }
}

/// What one `restic backup` added.
public struct ResticBackupSummary: Sendable, Equatable {
    /// The snapshot's id (short, as restic 0.14 reports it).
    public var snapshotID: String
    public var filesNew: UInt64
    public var filesChanged: UInt64
    public var filesUnmodified: UInt64
    /// Bytes added to the repository (after deduplication and compression).
    public var dataAdded: UInt64
    public var totalFiles: UInt64
    public var totalBytes: UInt64
    /// Seconds restic took.
    public var duration: Double
}
