import FoundationEssentials
import Protocol
import Restic

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The controller's backup requests, served over the link: configure this device as a backup
/// target, start (or attach to) a run, wait for one, list a repository's snapshots, swap restored
/// volumes in.
public struct BackupRequests: Sendable {
    let runner: BackupRunner
    let target: TargetSettingsStore

    /// Creates the handler.
    public init(runner: BackupRunner, target: TargetSettingsStore) {
        self.runner = runner
        self.target = target
    }

    /// The reply to a backup request, or nil when `message` is not one.
    func handle(_ message: InboundMessage, on connection: MessageConnection) async throws -> (any Codable & Sendable)? {
        switch message.header.type {
        case MessageType.backupTargetConfigure:
            return try await configure(try message.body(as: BackupTargetConfigure.self).settings)
        case MessageType.backupStart:
            return try runner.start(.backup(try message.body(as: BackupStart.self)), on: connection)
        case MessageType.restoreStart:
            return try runner.start(.restore(try message.body(as: RestoreStart.self)), on: connection)
        case MessageType.checkStart:
            return try runner.start(.check(try message.body(as: CheckStart.self)), on: connection)
        case MessageType.runWait:
            let request = try message.body(as: RunWait.self)
            return try await runner.wait(request.run, seconds: request.seconds, on: connection)
        case MessageType.snapshotList:
            return try await snapshots(try message.body(as: SnapshotList.self))
        case MessageType.volumeSwap:
            return try await VolumeSwapper(runtime: runner.context.runtime).perform(try message.body(as: VolumeSwap.self))
        default:
            return nil
        }
    }

    /// Saves and applies the target settings; answers once the listener is up (or failed).
    private func configure(_ settings: BackupTargetSettings?) async throws -> BackupTargetStatus {
        guard let settings else {
            _ = try target.replace(nil)
            return BackupTargetStatus(serving: false)
        }
        guard settings.path.hasPrefix("/") else { throw HomelabError(.invalidSpec, "path: '\(settings.path)' is not an absolute path") }
        guard (1...65535).contains(settings.port) else { throw HomelabError(.invalidSpec, "port: \(settings.port) is not a port") }
        try Self.checkWritable(settings.path)
        let version = try target.replace(settings)
        switch await target.binding(for: version, within: .seconds(10)) {
        case .serving(let port):
            let space = RepositoryFolder(root: settings.path).space()
            return BackupTargetStatus(serving: true, path: settings.path, port: port, freeBytes: space?.free, totalBytes: space?.total)
        case .failed(let reason):
            throw HomelabError(.runtime, reason)
        case .idle, nil:
            throw HomelabError(.runtime, "the backup target did not start listening on port \(settings.port) within 10 s")
        }
    }

    /// Makes the folder and proves the agent may write there.
    static func checkWritable(_ path: String) throws(HomelabError) {
        do throws(FolderError) {
            try RepositoryFolder.makeFolders(path)
        } catch {
            throw HomelabError(.invalidSpec, "path: \(error.message)")
        }
        let probe = path + "/.homelab-write-test"
        let fd = open(probe, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw HomelabError(.invalidSpec, "path: the agent cannot write to \(path): \(String(cString: strerror(errno))) (under systemd, add it to ReadWritePaths: docs/backups.md)")
        }
        close(fd)
        unlink(probe)
    }

    private func snapshots(_ request: SnapshotList) async throws -> [SnapshotInfo] {
        let restic = try runner.context.restic(host: runner.context.identity.deviceID, inactivity: nil)
        let repository = try runner.context.repository(request.repository)
        let tags = ["homelab"] + (request.app.map { ["app=\($0)"] } ?? [])
        return try await resticStep { try await restic.snapshots(repository, tags: tags) }.map { snapshot in
            SnapshotInfo(id: snapshot.id, time: snapshot.time, host: snapshot.hostname, run: snapshot.tag("run"), kind: snapshot.tag("kind"),
                         item: snapshot.tag("item"), tags: snapshot.tags ?? [])
        }
    }
}
