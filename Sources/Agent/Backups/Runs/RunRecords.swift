import FoundationEssentials
import Protocol
import Synchronization

/// The state of each run, kept in memory and saved under `<state>/backups/runs/` whenever it
/// starts or ends, so a restarted agent still answers for runs it had: those it was in the middle
/// of end as interrupted. The newest 100 are kept. Passwords are never saved.
final class RunRecords: Sendable {
    /// What is saved of a run.
    struct Saved: Codable, Sendable {
        var status: RunStatus
        /// A restore's fresh volumes, removed when the run was interrupted.
        var freshVolumes: [String]?
    }

    private let folder: String
    private let records: Mutex<[String: Saved]>

    /// Loads the saved runs; those still marked running were interrupted by the agent's end and are
    /// returned once, to be cleaned up.
    init(stateDirectory: String) {
        let folder = stateDirectory + "/backups/runs"
        self.folder = folder
        var loaded: [String: Saved] = [:]
        for name in (SystemFiles.list(folder) ?? []) where name.hasSuffix(".json") {
            guard let text = SystemFiles.read(folder + "/" + name),
                  let saved = try? WireCoding.decoder.decode(Saved.self, from: Data(text.utf8)) else { continue }
            loaded[saved.status.run] = saved
        }
        records = Mutex(loaded)
    }

    /// The runs the agent was in the middle of when it stopped, now marked failed with `error`.
    func interrupted(_ error: (RunStatus) -> HomelabError) -> [Saved] {
        let cut = records.withLock { records -> [Saved] in
            var cut: [Saved] = []
            for (run, saved) in records where saved.status.state == .running {
                var saved = saved
                saved.status.state = .failed
                saved.status.error = error(saved.status)
                saved.status.endedAt = Date()
                records[run] = saved
                cut.append(saved)
            }
            return cut
        }
        cut.forEach(save)
        return cut
    }

    /// The run's status, if the agent knows it.
    subscript(run: String) -> RunStatus? { records.withLock { $0[run]?.status } }

    /// Records a change, saving it when `persist` (a start or an end).
    func update(_ status: RunStatus, freshVolumes: [String]? = nil, persist: Bool) {
        let saved = records.withLock { records -> Saved in
            let saved = Saved(status: status, freshVolumes: freshVolumes ?? records[status.run]?.freshVolumes)
            records[status.run] = saved
            return saved
        }
        if persist { save(saved) }
    }

    private func save(_ saved: Saved) {
        guard (try? StateFiles.makeDirectory(folder, mode: 0o700)) != nil, let bytes = try? WireCoding.encoder.encode(saved) else { return }
        try? StateFiles.write(Array(bytes), to: folder + "/\(saved.status.run).json", mode: 0o600)
        let old = records.withLock { records -> [String] in
            let stale = records.values.sorted { $0.status.startedAt > $1.status.startedAt }.dropFirst(100).map(\.status.run)
            stale.forEach { records.removeValue(forKey: $0) }
            return stale
        }
        for run in old { StateFiles.remove(folder + "/\(run).json") }
    }
}
