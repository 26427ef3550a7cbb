import Crypto
import FoundationEssentials
import NIOCore
import NIOPosix
import Protocol
import Restic
import Synchronization

/// One backup run of one component: its hooks, its dumps (streamed into restic, their exit codes
/// checked), its volumes (with the app stopped in `stop` mode, and always started again), then the
/// run's manifest, written last so a run that did not finish never counts.
struct VolumeBackup: Sendable {
    let context: BackupContext
    let request: BackupStart
    let report: @Sendable (RunProgress) async -> Void

    func run() async throws -> BackupOutcome {
        let restic = try context.restic(host: request.host, inactivity: request.inactivitySeconds)
        let repository = try context.repository(request.repository)
        let volumes = try await resolveVolumes()
        await report(RunProgress(phase: "opening \(repository.label)"))
        // A run killed earlier may have left its lock (a source's certificate may remove locks); a
        // repository that is not there yet is made. One restic start either way when it exists.
        do {
            try await restic.unlock(repository)
        } catch where error.code == .repositoryMissing {
            _ = try await resticStep { try await restic.initializeIfMissing(repository) }
        } catch {
            throw HomelabError(error)
        }
        try await hooks(request.plan.pre, "pre-backup")
        var made: [RunSnapshot] = []
        var dumps: [String: RunManifest.Dump] = [:]
        var records: [String: RunManifest.Volume] = [:]
        var downtime: Double?
        let outcome: Result<Void, any Error>
        do {
            if request.plan.mode == .dump {
                for dump in request.plan.dumps {
                    let (snapshot, record) = try await self.dump(dump, restic: restic, repository: repository)
                    made.append(snapshot)
                    dumps[dump.filename] = record
                }
            }
            if request.plan.mode == .stop {
                let started = ContinuousClock.now
                let hold = try await AppHold.stop(project: request.project, run: request.run, runtime: context.runtime,
                                                  stateDirectory: context.stateDirectory, order: request.startOrder)
                await report(RunProgress(phase: "\(request.project) stopped"))
                let copied = await capture { try await copy(volumes, manifests: true, restic: restic, repository: repository) }
                if let hold {
                    // Always started again, even when the run is being cancelled: in a task the cancellation does not reach.
                    let (runtime, state) = (context.runtime, context.stateDirectory)
                    try await Task { try await hold.release(runtime: runtime, stateDirectory: state) }.value
                }
                downtime = hold == nil ? nil : (ContinuousClock.now - started).seconds
                let result = try copied.get()
                made += result.snapshots
                records = result.volumes
            } else {
                let copied = try await copy(volumes, manifests: false, restic: restic, repository: repository)
                made += copied.snapshots
                records = copied.volumes
            }
            outcome = .success(())
        } catch {
            outcome = .failure(error)
        }
        let post = await capture { try await hooks(request.plan.post, "post-backup") }
        try outcome.get()
        try post.get()
        made.append(try await writeManifest(volumes: records, dumps: dumps, restic: restic, repository: repository))
        return BackupOutcome(snapshots: made, bytesAdded: made.reduce(0) { $0 + $1.bytesAdded },
                             bytesProcessed: made.reduce(0) { $0 + $1.bytes }, downtimeSeconds: downtime)
    }

    // MARK: Volumes

    /// The project's volumes, each a local volume whose folder this agent can read.
    private func resolveVolumes() async throws -> [(key: String, volume: RuntimeVolume)] {
        var found: [(key: String, volume: RuntimeVolume)] = []
        for key in request.volumes {
            let name = "\(request.project)_\(key)"
            guard let volume = try await context.runtime.inspect(volume: name) else {
                throw HomelabError(.notFound, "no volume \(name) on this device (volume '\(key)' of \(request.project))")
            }
            guard volume.driver == "local", volume.mountpoint.hasPrefix("/"), access(volume.mountpoint, R_OK) == 0 else {
                throw HomelabError(.invalidSpec, "volume \(name) (driver \(volume.driver)) is not a local volume this agent can read at '\(volume.mountpoint)': backups copy local volumes")
            }
            found.append((key, volume))
        }
        return found
    }

    /// Backs up each volume as a snapshot whose root is its folder's name (`_data`); with
    /// `manifests`, the volume's manifest is taken at the same time (the app is stopped).
    private func copy(_ volumes: [(key: String, volume: RuntimeVolume)], manifests: Bool, restic: Restic, repository: ResticRepository)
        async throws -> (snapshots: [RunSnapshot], volumes: [String: RunManifest.Volume]) {
        var snapshots: [RunSnapshot] = []
        var records: [String: RunManifest.Volume] = [:]
        for (key, volume) in volumes {
            let (folder, name) = volume.mountpoint.splitLastComponent
            async let manifest = Self.manifest(of: volume.mountpoint, if: manifests)
            let phase = "volume \(key)"
            let summary = try await resticStep {
                try await restic.backup(repository, directory: folder, path: name, tags: tags("volume", key)) { message in
                    await report(message.progress(phase))
                }
            }
            snapshots.append(RunSnapshot(kind: "volume", item: key, id: summary.snapshotID, files: summary.totalFiles,
                                         bytes: summary.totalBytes, bytesAdded: summary.dataAdded))
            records[key] = RunManifest.Volume(snapshot: summary.snapshotID, name: volume.name, manifest: try await manifest)
        }
        return (snapshots, records)
    }

    /// The volume's manifest, walked on the thread pool, when `wanted`.
    private static func manifest(of folder: String, if wanted: Bool) async throws -> VolumeContents? {
        guard wanted else { return nil }
        return try await NIOThreadPool.singleton.runIfActive { try VolumeContents.take(of: folder) }
    }

    // MARK: Dumps

    /// Streams one dump into restic; a dump that exits non-zero kills restic before its input ends,
    /// so no snapshot is made (restic 0.14 would save a truncated one), and the run fails.
    private func dump(_ dump: DumpSpec, restic: Restic, repository: ResticRepository) async throws -> (RunSnapshot, RunManifest.Dump) {
        let container = try await runningContainer(of: dump.service)
        let runtime = context.runtime
        let tally = DumpTally()
        let phase = "dump \(dump.filename)"
        do {
            let summary = try await restic.backup(repository, stdinFilename: dump.filename, tags: tags("dump", dump.filename), input: { writer in
                let result = try await runtime.exec(container: container, command: dump.command) { chunk in
                    tally.add(chunk)
                    try await writer.write(chunk)
                }
                guard result.exitCode == 0 else {
                    let said = result.errors.split(separator: "\n").suffix(3).joined(separator: "; ")
                    tally.fail("\(dump.command.first ?? "the dump") in service \(dump.service) exited \(result.exitCode)\(said.isEmpty ? "" : ": \(said)")")
                    throw HomelabError(.backupDumpFailed, "dump failed")
                }
            }, progress: { message in await report(message.progress(phase)) })
            let snapshot = RunSnapshot(kind: "dump", item: dump.filename, id: summary.snapshotID, files: 1, bytes: tally.bytes,
                                       bytesAdded: summary.dataAdded)
            return (snapshot, RunManifest.Dump(snapshot: summary.snapshotID, service: dump.service, bytes: tally.bytes, sha256: tally.digest))
        } catch {
            guard let failure = tally.failure else { throw HomelabError(error) }
            // restic was killed mid-run: its lock stays behind until removed.
            try? await restic.unlock(repository)
            throw HomelabError(.backupDumpFailed, "\(failure); the backup failed and no dump snapshot was made")
        }
    }

    // MARK: Hooks

    private func hooks(_ hooks: [HookSpec], _ when: String) async throws {
        for hook in hooks {
            await report(RunProgress(phase: "\(when) hook in \(hook.service)"))
            let container = try await runningContainer(of: hook.service)
            let result = try await context.runtime.exec(container: container, command: hook.command) { _ in }
            guard result.exitCode == 0 else {
                throw HomelabError(.backupHookFailed, "the \(when) hook \(hook.command.joined(separator: " ")) in service \(hook.service) exited \(result.exitCode): \(result.errors.suffix(300))")
            }
        }
    }

    private func runningContainer(of service: String) async throws -> String {
        let containers = try await context.runtime.containers(labelled: [StackLabels.project: request.project, StackLabels.service: service])
        guard let running = containers.first(where: { $0.state == "running" }) else {
            throw HomelabError(.notFound, "service \(service) of \(request.project) is not running here")
        }
        return running.id
    }

    // MARK: Manifest

    /// Writes the run's manifest as its last snapshot, with the full ids of the run's snapshots.
    private func writeManifest(volumes: [String: RunManifest.Volume], dumps: [String: RunManifest.Dump], restic: Restic,
                               repository: ResticRepository) async throws -> RunSnapshot {
        await report(RunProgress(phase: "writing the run's manifest"))
        let full = try await resticStep { try await restic.snapshots(repository, tags: ["run=\(request.run)"]) }
        func resolve(_ short: String) -> String { full.first { $0.id.hasPrefix(short) }?.id ?? short }
        let manifest = RunManifest(
            run: request.run, app: request.app, component: request.component, host: request.host, mode: request.plan.mode, createdAt: Date(),
            volumes: volumes.mapValues { var volume = $0; volume.snapshot = resolve(volume.snapshot); return volume },
            dumps: dumps.mapValues { var dump = $0; dump.snapshot = resolve(dump.snapshot); return dump })
        let encoder = WireCoding.encoder
        encoder.outputFormatting = [.sortedKeys]
        let bytes = ByteBuffer(bytes: try encoder.encode(manifest))
        let summary = try await resticStep {
            try await restic.backup(repository, stdinFilename: RunManifest.filename, tags: tags("manifest", RunManifest.filename),
                                    input: { writer in try await writer.write(bytes) }, progress: { _ in })
        }
        return RunSnapshot(kind: "manifest", item: RunManifest.filename, id: summary.snapshotID, files: 1,
                           bytes: UInt64(bytes.readableBytes), bytesAdded: summary.dataAdded)
    }

    private func tags(_ kind: String, _ item: String) -> [String] {
        SnapshotTags.of(app: request.app, run: request.run, component: request.component, kind: kind, item: item)
    }
}

/// The outcome of `body`, failure included.
func capture<T: Sendable>(_ body: () async throws -> T) async -> Result<T, any Error> {
    do {
        return .success(try await body())
    } catch {
        return .failure(error)
    }
}

/// A restic call whose failure crosses the wire with restic's code.
func resticStep<T: Sendable>(_ body: () async throws -> T) async throws(HomelabError) -> T {
    do {
        return try await body()
    } catch {
        throw HomelabError(error)
    }
}

/// Counts and hashes a dump as it streams, and keeps why it failed.
private final class DumpTally: Sendable {
    private struct State {
        var bytes: UInt64 = 0
        var hasher = SHA256()
        var failure: String?
    }
    private let state = Mutex(State())

    func add(_ chunk: ByteBuffer) {
        state.withLock { state in
            state.bytes += UInt64(chunk.readableBytes)
            chunk.withUnsafeReadableBytes { state.hasher.update(bufferPointer: $0) }
        }
    }

    func fail(_ reason: String) { state.withLock { $0.failure = reason } }
    var failure: String? { state.withLock { $0.failure } }
    var bytes: UInt64 { state.withLock { $0.bytes } }
    var digest: String { state.withLock { $0.hasher.finalize() }.hexString }
}

extension HomelabError {
    /// Any error of a run as it crosses the wire.
    init(_ error: any Error) {
        switch error {
        case let error as HomelabError: self = error
        case let error as ResticError: self.init(error)
        case let error as AgentError: self.init(.internal, error.message)
        case let error as DockerClientError: self.init(error.code == .notFound ? .notFound : .runtime, error.message)
        default: self.init(.internal, "\(error)")
        }
    }
}

extension ResticBackupMessage {
    /// restic's status as a run's progress.
    func progress(_ phase: String) -> RunProgress {
        RunProgress(phase: phase, percent: percentDone.map { $0 * 100 }, bytesDone: bytesDone, bytesTotal: totalBytes,
                    filesDone: filesDone, filesTotal: totalFiles, secondsRemaining: secondsRemaining)
    }
}

extension Duration {
    /// In seconds, with fractions.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

extension String {
    /// The folder and the last component of an absolute path (`/a/b/_data` → `/a/b`, `_data`).
    var splitLastComponent: (String, String) {
        guard let slash = lastIndex(of: "/") else { return (".", self) }
        let folder = String(self[..<slash])
        return (folder.isEmpty ? "/" : folder, String(self[index(after: slash)...]))
    }
}
