import FoundationEssentials
import NIOPosix
import Protocol
import Restic

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One restore run: the volumes of a finished backup run restored into fresh volumes (labelled as
/// Compose labels a volume of the project), each checked against the manifest taken at backup. The
/// volumes in use are never touched; on any failure the fresh volumes made so far are removed.
struct VolumeRestore: Sendable {
    let context: BackupContext
    let request: RestoreStart
    let report: @Sendable (RunProgress) async -> Void

    func run() async throws -> RestoreOutcome {
        let restic = try context.restic(host: context.identity.deviceID, inactivity: request.inactivitySeconds)
        let repository = try context.repository(request.repository)
        await report(RunProgress(phase: "reading backup run \(request.backupRun)"))
        let manifest = try await runManifest(restic: restic, repository: repository)
        for (key, fresh) in request.volumes.sorted(by: { $0.key < $1.key }) {
            guard manifest.volumes[key] != nil else {
                throw HomelabError(.notFound, "backup run \(request.backupRun) has no volume '\(key)' (it has: \(manifest.volumes.keys.sorted().joined(separator: ", ")))")
            }
            if try await context.runtime.inspect(volume: fresh) != nil {
                throw HomelabError(.invalidSpec, "volume \(fresh) exists already: a restore goes into fresh volumes and never replaces one")
            }
        }
        var created: [String] = []
        do {
            var restored: [RestoredVolume] = []
            for (key, fresh) in request.volumes.sorted(by: { $0.key < $1.key }) {
                let record = manifest.volumes[key]!
                try await context.runtime.createVolume(name: fresh, labels: labels(key))
                created.append(fresh)
                restored.append(try await restore(record, key: key, into: fresh, restic: restic, repository: repository))
            }
            return RestoreOutcome(volumes: restored)
        } catch {
            // Removed even when the run is being cancelled: in a task the cancellation does not reach.
            let (runtime, made) = (context.runtime, created)
            await Task { for name in made { try? await runtime.removeVolume(name: name) } }.value
            throw HomelabError(error)
        }
    }

    /// The labels Compose gives a volume of the project, and where it came from.
    private func labels(_ key: String) -> [String: String] {
        [StackLabels.project: request.project, StackLabels.volume: key, StackLabels.version: StackLabels.composeVersion,
         StackLabels.managed: "true", StackLabels.deployment: request.app, "io.homelab.restored-from": request.backupRun]
    }

    /// The manifest of the backup run; a run without one never finished.
    private func runManifest(restic: Restic, repository: ResticRepository) async throws -> RunManifest {
        let snapshots = try await resticStep { try await restic.snapshots(repository, tags: ["run=\(request.backupRun)"]) }
        guard let snapshot = snapshots.last(where: { $0.tag("kind") == "manifest" }) else {
            throw HomelabError(.backupRunIncomplete, snapshots.isEmpty
                ? "\(repository.label) has no backup run \(request.backupRun)"
                : "backup run \(request.backupRun) never finished (its manifest is missing), so it cannot be restored")
        }
        let text = try await resticStep { try await restic.dump(repository, snapshot: snapshot.id, file: "/" + RunManifest.filename) }
        do {
            return try WireCoding.decoder.decode(RunManifest.self, from: Data(text.utf8))
        } catch {
            throw HomelabError(.malformedMessage, "the manifest of backup run \(request.backupRun) does not decode: \(error)")
        }
    }

    private func restore(_ record: RunManifest.Volume, key: String, into fresh: String, restic: Restic,
                         repository: ResticRepository) async throws -> RestoredVolume {
        guard let volume = try await context.runtime.inspect(volume: fresh), volume.mountpoint.hasPrefix("/") else {
            throw HomelabError(.runtime, "volume \(fresh) was created but the engine shows no folder for it")
        }
        let (folder, name) = volume.mountpoint.splitLastComponent
        guard name == "_data" else {
            throw HomelabError(.invalidSpec, "volume \(fresh) is at \(volume.mountpoint): restores need the engine's local volumes (…/_data)")
        }
        if let expected = record.manifest, let space = Self.freeBytes(folder), space < expected.bytes + expected.bytes / 20 {
            throw HomelabError(.restoreNoSpace, "volume \(fresh) needs \(expected.bytes) bytes but its file system has \(space) free")
        }
        await report(RunProgress(phase: "restoring volume \(key) into \(fresh)"))
        // The snapshot's root is `_data`: restoring into the volume's folder fills `_data` itself, its
        // owner and mode included. With a manifest, the walk below checks every byte against the
        // volume as it was; without one (a live copy), restic reads the files back against the snapshot.
        try await resticStep { try await restic.restore(repository, snapshot: record.snapshot, target: folder, verify: record.manifest == nil) }
        await report(RunProgress(phase: "verifying volume \(key)"))
        let mountpoint = volume.mountpoint
        let actual = try await NIOThreadPool.singleton.runIfActive { try VolumeContents.take(of: mountpoint) }
        if let expected = record.manifest {
            let differences = expected.differences(from: actual)
            guard differences.isEmpty else {
                throw HomelabError(.restoreVerifyFailed, "volume \(key) restored into \(fresh) differs from the backup: \(differences.joined(separator: "; "))")
            }
        }
        return RestoredVolume(key: key, volume: fresh, entries: UInt64(actual.entries.count), bytes: actual.bytes, verified: record.manifest != nil)
    }

    private static func freeBytes(_ path: String) -> UInt64? {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return nil }
        return UInt64(info.f_bavail) * UInt64(info.f_frsize)
    }
}
