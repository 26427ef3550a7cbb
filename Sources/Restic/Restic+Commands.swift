import FoundationEssentials

/// The restic commands the agent and the controller use, each with its outcome decoded.
extension Restic {
    /// Creates the repository unless it exists; returns whether it made it.
    @discardableResult
    public func initializeIfMissing(_ repository: ResticRepository) async throws(ResticError) -> Bool {
        do throws(ResticError) {
            try await run(["cat", "config"], repository: repository, what: "opening \(repository.label)")
            return false
        } catch where error.code == .repositoryMissing {
            do throws(ResticError) {
                try await run(["init"], repository: repository, what: "creating \(repository.label)")
                return true
            } catch where error.message.contains("already exists") || error.message.contains("already initialized") {
                // Another device's first backup made it meanwhile.
                return false
            }
        }
    }

    /// The repository's snapshots carrying every one of `tags`, oldest first.
    public func snapshots(_ repository: ResticRepository, tags: [String] = []) async throws(ResticError) -> [ResticSnapshot] {
        let lines = ResticLines()
        let filter = tags.isEmpty ? [] : ["--tag", tags.joined(separator: ",")]
        try await run(["snapshots", "--json"] + filter, repository: repository, what: "listing the snapshots of \(repository.label)", line: lines.append)
        let text = lines.all.joined()
        do {
            return try JSONDecoder().decode([ResticSnapshot].self, from: Data(text.utf8))
        } catch {
            throw ResticError(.failed, "restic's snapshot list of \(repository.label) does not decode: \(error)")
        }
    }

    /// Backs up `path` as seen from `directory` (so the snapshot holds `/path/…`, whatever the
    /// device's folders are called), reporting each JSON status.
    public func backup(_ repository: ResticRepository, directory: String, path: String, tags: [String],
                       progress: @escaping @Sendable (ResticBackupMessage) async -> Void) async throws(ResticError) -> ResticBackupSummary {
        try await backup(["backup", "--json", "--host", host, "--tag", tags.joined(separator: ","), path], repository: repository,
                         directory: directory, input: nil, progress: progress)
    }

    /// Backs up what `input` writes as one file named `filename`; when `input` throws, no snapshot is made.
    public func backup(_ repository: ResticRepository, stdinFilename filename: String, tags: [String],
                       input: @escaping @Sendable (InputWriter) async throws -> Void,
                       progress: @escaping @Sendable (ResticBackupMessage) async -> Void) async throws(ResticError) -> ResticBackupSummary {
        try await backup(["backup", "--json", "--host", host, "--tag", tags.joined(separator: ","), "--stdin", "--stdin-filename", filename],
                         repository: repository, directory: nil, input: input, progress: progress)
    }

    private func backup(_ arguments: [String], repository: ResticRepository, directory: String?,
                        input: (@Sendable (InputWriter) async throws -> Void)?,
                        progress: @escaping @Sendable (ResticBackupMessage) async -> Void) async throws(ResticError) -> ResticBackupSummary {
        let summary = ResticLines()
        try await run(arguments, repository: repository, directory: directory, what: "backing up into \(repository.label)", input: input) { line in
            guard line.hasPrefix("{"), let message = try? JSONDecoder().decode(ResticBackupMessage.self, from: Data(line.utf8)) else { return }
            if message.messageType == "summary" { await summary.append(line) }
            await progress(message)
        }
        guard let line = summary.all.last, let message = try? JSONDecoder().decode(ResticBackupMessage.self, from: Data(line.utf8)),
              let id = message.snapshotID else {
            throw ResticError(.failed, "backing up into \(repository.label) ended without a summary")
        }
        return ResticBackupSummary(
            snapshotID: id, filesNew: message.filesNew ?? 0, filesChanged: message.filesChanged ?? 0,
            filesUnmodified: message.filesUnmodified ?? 0, dataAdded: message.dataAdded ?? 0,
            totalFiles: message.totalFilesProcessed ?? 0, totalBytes: message.totalBytesProcessed ?? 0, duration: message.totalDuration ?? 0)
    }

    /// Restores `snapshot` into `target`; `verify` has restic read every restored file back and
    /// compare it with the snapshot.
    public func restore(_ repository: ResticRepository, snapshot: String, target: String, verify: Bool) async throws(ResticError) {
        try await run(["restore", snapshot, "--target", target] + (verify ? ["--verify"] : []), repository: repository,
                      what: "restoring snapshot \(snapshot.prefix(8)) of \(repository.label)")
    }

    /// The contents of `file` in `snapshot` (a small file: a manifest), as text.
    public func dump(_ repository: ResticRepository, snapshot: String, file: String) async throws(ResticError) -> String {
        let lines = ResticLines()
        try await run(["dump", snapshot, file], repository: repository, what: "reading \(file) of snapshot \(snapshot.prefix(8))", line: lines.append)
        return lines.all.joined(separator: "\n")
    }

    /// Removes `snapshots` (and with `prune` the data only they used).
    public func forget(_ repository: ResticRepository, snapshots: [String], prune: Bool) async throws(ResticError) {
        guard !snapshots.isEmpty else { return }
        try await run(["forget"] + (prune ? ["--prune"] : []) + snapshots, repository: repository,
                      what: "forgetting \(snapshots.count) snapshot(s) of \(repository.label)")
    }

    /// Checks the repository's structure and, with `readData` (`5%`, `100%`), that share of its
    /// data; errors name what is damaged.
    public func check(_ repository: ResticRepository, readData: String?) async throws(ResticError) {
        let lines = ResticLines()
        do throws(ResticError) {
            try await run(["check"] + (readData.map { ["--read-data-subset=\($0)"] } ?? []), repository: repository,
                          what: "checking \(repository.label)", line: lines.append)
        } catch where error.code == .failed {
            let found = lines.all.filter { $0.contains("error") || $0.contains("Fatal") || $0.contains("does not match") }
            throw ResticError(.checkFailed, "\(repository.label) is damaged: " + (found.isEmpty ? error.message : found.suffix(5).joined(separator: "; ")))
        }
    }

    /// Removes stale locks (those of processes that no longer run); a source's certificate may do this.
    public func unlock(_ repository: ResticRepository) async throws(ResticError) {
        try await run(["unlock"], repository: repository, what: "removing stale locks of \(repository.label)")
    }
}
