import Foundation
import Protocol
import Scheduler

/// Backing up a deployment now, as a value: each component with volumes in turn (one agent run each,
/// by a run id fixed when the job is made, so a restarted controller attaches to the run it started),
/// then the retention rules applied to the app's repository. The subject is `backup:ID`, not the
/// deployment's id: a backup leaves the deployment's state alone and does not block its start, stop or
/// logs; one backup of an app runs at a time. `docs/backups.md` has the diagram.
struct BackupMachine: JobMachine {
    static let kind: JobKind = "backup"

    /// One component's run.
    struct Part: Codable, Equatable, Sendable {
        var component: String
        var device: String
        var run: String
    }

    /// What one run made.
    struct Made: Codable, Equatable, Sendable {
        var component: String
        var run: String
        var snapshots: Int
        var files: UInt64
        var bytes: UInt64
        var bytesAdded: UInt64
        /// Seconds the app was stopped (`stop` mode).
        var downtimeSeconds: Double?
    }

    enum State: Codable, Equatable, Sendable {
        /// Part `index` is being backed up on its device.
        case backingUp(index: Int)
        /// Forgetting (and pruning) what the retention rules no longer keep.
        case retaining
        case done, failed
    }

    enum Event: Sendable {
        /// restic's progress in a part's run: a step, no change of state.
        case progress(component: String, RunProgress)
        case backedUp(Made)
        /// The retention rules were applied: `forgotten` runs, or `problem` why they could not be (the backup stands).
        case retained(forgotten: [String], problem: String?)
        case failed(HomelabError)
    }

    enum Action: Sendable, Equatable {
        case backup(index: Int)
        case retain
    }

    /// The subject of an app's backup jobs.
    static func subject(of deploymentID: String) -> String { "backup:\(deploymentID)" }

    var subject: String
    var name: String
    /// The target device's name, fixed when the job is made.
    var target: String
    var parts: [Part]
    var retention: BackupRetention
    var state: State = .backingUp(index: 0)
    var made: [Made] = []
    var forgotten: [String] = []
    var retentionProblem: String?
    /// Whether applying the retention rules failed (not: a local target the controller cannot prune). Optional: jobs
    /// stored before it existed decode without it.
    var retentionFailed: Bool?
    var failure: HomelabError?

    /// How many backups in a row whose retention failed make the `backup-prune-failing` alert fire.
    static let pruneFailuresToAlert = 3

    init(deploymentID: String, name: String, target: String, parts: [Part], retention: BackupRetention) {
        subject = Self.subject(of: deploymentID)
        self.name = name
        self.target = target
        self.parts = parts
        self.retention = retention
    }

    var outcome: JobOutcome? {
        switch state {
        case .done: .succeeded
        case .failed: .failed
        default: nil
        }
    }

    var stateName: String {
        switch state {
        case .backingUp: "backing-up"
        case .retaining: "retaining"
        case .done: "done"
        case .failed: "failed"
        }
    }

    /// A backup does not change its deployment's state.
    var subjectState: String? { nil }

    // MARK: Transitions

    mutating func start() -> JobTransition<Action> {
        let intro = JobTransition<Action>(say: "Backing up \(name) to \(target)")
        guard !parts.isEmpty else {
            state = .done
            return intro.then(JobTransition(say: "\(name) has no volumes: nothing to back up"))
        }
        return intro.then(JobTransition(work))
    }

    mutating func resume() -> JobTransition<Action> {
        guard outcome == nil else { return JobTransition() }
        return JobTransition(say: "Resumed after the controller restarted").then(JobTransition(work))
    }

    /// The current state's work: a part's run is started or attached to by its id; retention reads the
    /// repository again, so both are safe to redo.
    var work: [Action] {
        switch state {
        case .backingUp(let index): [.backup(index: index)]
        case .retaining: [.retain]
        case .done, .failed: []
        }
    }

    mutating func handle(_ event: Event) -> JobTransition<Action> {
        switch (state, event) {
        case (.backingUp(let index), .progress(let component, let progress)) where parts[index].component == component:
            return JobTransition(say: "\(component): \(Self.words(progress))", component: component)
        case (.backingUp(let index), .backedUp(let run)) where parts[index].component == run.component && parts[index].run == run.run:
            made.append(run)
            let downtime = run.downtimeSeconds.map { String(format: ", the app stopped for %.1f s", $0) } ?? ""
            let said = JobTransition<Action>(say: "\(run.component): \(run.snapshots) snapshots of \(run.files) files, \(Bytes.words(Int64(clamping: run.bytes))) read, "
                                              + "\(Bytes.words(Int64(clamping: run.bytesAdded))) added on \(target)\(downtime) (run \(run.run))",
                                             component: run.component)
            state = index + 1 < parts.count ? .backingUp(index: index + 1) : .retaining
            return said.then(JobTransition(work))
        case (.backingUp(let index), .failed(let error)):
            state = .failed
            failure = error.with("deployment", name)
            return JobTransition(say: "Failed: \(error.message)", component: parts[index].component)
        case (.retaining, .retained(let runs, let problem)):
            forgotten = runs
            retentionProblem = problem
            state = .done
            let kept = problem.map { "Retention not applied (\($0)); the backup stands" }
                ?? (runs.isEmpty ? "Retention: nothing to forget" : "Retention: forgot \(runs.count) older run\(runs.count == 1 ? "" : "s") (\(runs.joined(separator: ", ")))")
            return JobTransition(say: kept).then(JobTransition(say: "Backed up \(name) to \(target)"))
        case (.retaining, .failed(let error)):
            retentionFailed = true
            return handle(.retained(forgotten: [], problem: error.message))
        default:
            return JobTransition()
        }
    }

    static func failed(_ action: Action, _ error: HomelabError) -> Event { .failed(error) }

    /// restic's progress for people: `volume data: 40% of 1.2 GB, 300 of 800 files, about 12 s left`.
    static func words(_ progress: RunProgress) -> String {
        var parts: [String] = []
        if let done = progress.bytesDone {
            let total = progress.bytesTotal.map { " of \(Bytes.words(Int64(clamping: $0)))" } ?? ""
            let percent = progress.percent.map { String(format: "%.0f%% ", $0) } ?? ""
            parts.append("\(percent)\(Bytes.words(Int64(clamping: done)))\(total)".trimmingCharacters(in: .whitespaces))
        }
        if let files = progress.filesDone {
            parts.append("\(files)\(progress.filesTotal.map { " of \($0)" } ?? "") files")
        }
        if let left = progress.secondsRemaining, left.isFinite, left >= 0 { parts.append("about \(Int(left.rounded())) s left") }
        return parts.isEmpty ? progress.phase : "\(progress.phase): " + parts.joined(separator: ", ")
    }
}
