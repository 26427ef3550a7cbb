@testable import Controller
import Foundation
import Protocol
import Testing
import TestSupport

/// Restore jobs end to end: the agent's restore into fresh volumes (real restic, verified), the swap
/// of the folders on the engine's disk, the app started and its health checked, and the rollbacks.
@Suite("Restore jobs (real agents, restic and dockerd)", .serialized, .timeLimit(.minutes(8)),
       .enabled(if: DockerForControllerTests.enabled && Prerequisite.runs(with: "/usr/bin/restic")))
struct RestoreJobTests {
    static func unique(_ prefix: String) -> String { "\(prefix)-\(String(UInt32.random(in: .min ... .max), radix: 16))" }

    @Test("a restore job puts an older run back byte-identical (every file kind) under the same volume names; the app runs on it; nothing is left over")
    func restoresInPlace() async throws {
        try await BackupHarness.with { harness in
            let app = Self.unique("rs")
            _ = try await harness.deploy("backup-files", as: app)
            try BackupHarness.fillWithEveryKind("\(app)_data")
            let original = try BackupHarness.walk(BackupHarness.mountpoint("\(app)_data"))
            let jobs = harness.controller.app.context.backupJobs
            let backup = try await BackupJobTests.ended(try await jobs.backup(app, BackupNowRequest()).job.id, harness)
            #expect(backup.outcome == .succeeded)
            // What changes after the backup is what the restore takes away.
            try BackupHarness.inVolume("\(app)_data", "cd /v && rm plain.txt && echo later > later.txt && rm -r nested")
            #expect(try BackupHarness.walk(BackupHarness.mountpoint("\(app)_data")) != original)

            let accepted = try await jobs.restore(app, RestoreRequest())
            let job = try await BackupJobTests.ended(accepted.job.id, harness)
            let steps = try await harness.controller.app.context.jobs.store.steps(of: job.subject, after: 0).filter { $0.jobID == job.id }.map(\.message)
            #expect(job.outcome == .succeeded, "\(String(describing: job.failure)) \(steps)")
            #expect(steps.contains { $0.contains("restored on box and verified against the manifest") }, "\(steps)")
            #expect(try BackupHarness.walk(BackupHarness.mountpoint("\(app)_data")) == original, "byte-identical, metadata included, under the same name")
            #expect(DockerCLI.state(of: "\(app)-app-1") == "running")
            let mounted = DockerCLI.lines(["inspect", "\(app)-app-1", "--format", "{{range .Mounts}}{{.Name}} {{end}}"]).joined()
            #expect(mounted.contains("\(app)_data") && !mounted.contains("restored"), "the app mounts its own volumes: \(mounted)")
            let left = DockerCLI.lines(["volume", "ls", "-q", "--filter", "label=com.docker.compose.project=\(app)"]).sorted()
            #expect(left == ["\(app)_config", "\(app)_data"], "the fresh volumes and the old contents are gone: \(left)")
            let folder = BackupHarness.mountpoint("\(app)_data").dropLast("/_data".count)
            #expect(try FileManager.default.contentsOfDirectory(atPath: String(folder)) == ["_data"], "no old contents kept beside")
            let deployment = try await harness.controller.app.context.deployments.get(app)
            #expect(deployment.state == .running && deployment.error == nil)
        }
    }

    @Test("a restore whose app fails its health check on the restored data puts the old volumes back: the app runs healthy on them, the fresh volumes are removed")
    func unhealthyRestoreRollsBack() async throws {
        try await BackupHarness.with { harness in
            let app = Self.unique("rh")
            _ = try await harness.deploy("backup-health", as: app)
            let jobs = harness.controller.app.context.backupJobs
            // Backed up while the marker is missing: data the app is not healthy with.
            try BackupHarness.inVolume("\(app)_data", "rm /v/ok")
            let backup = try await BackupJobTests.ended(try await jobs.backup(app, BackupNowRequest()).job.id, harness)
            #expect(backup.outcome == .succeeded)
            try BackupHarness.inVolume("\(app)_data", "touch /v/ok && echo current > /v/current.txt")
            let before = try BackupHarness.walk(BackupHarness.mountpoint("\(app)_data"))

            let job = try await BackupJobTests.ended(try await jobs.restore(app, RestoreRequest()).job.id, harness)
            let steps = try await harness.controller.app.context.jobs.store.steps(of: job.subject, after: 0).filter { $0.jobID == job.id }.map(\.message)
            #expect(job.outcome == .rolledBack, "\(steps)")
            #expect(job.failure?.code == .unhealthy, "\(String(describing: job.failure))")
            #expect(steps.contains("app: old volumes back, started and healthy") && steps.last?.hasPrefix("Rolled back") == true, "\(steps)")
            #expect(try BackupHarness.walk(BackupHarness.mountpoint("\(app)_data")) == before, "exactly the data it had")
            #expect(DockerCLI.state(of: "\(app)-app-1") == "running")
            let left = DockerCLI.lines(["volume", "ls", "-q", "--filter", "label=com.docker.compose.project=\(app)"])
            #expect(left == ["\(app)_data"], "the fresh volume is removed: \(left)")
            let deployment = try await harness.controller.app.context.deployments.get(app)
            #expect(deployment.state == .running, "the deployment runs as before")
        }
    }

    @Test("a restore from a corrupted pack fails before touching the app: rolled back, the app running on its volumes, no fresh volume left")
    func corruptedPackRollsBack() async throws {
        try await BackupHarness.with { harness in
            let app = Self.unique("rc")
            _ = try await harness.deploy("backup-files", as: app)
            try BackupHarness.inVolume("\(app)_data", "dd if=/dev/urandom of=/v/random.bin bs=1024 count=2048 2>/dev/null")
            let jobs = harness.controller.app.context.backupJobs
            _ = try await BackupJobTests.ended(try await jobs.backup(app, BackupNowRequest()).job.id, harness)
            let before = try BackupHarness.walk(BackupHarness.mountpoint("\(app)_data"))
            let started = DockerCLI.lines(["inspect", "\(app)-app-1", "--format", "{{.State.StartedAt}}"])
            for pack in try Self.packs(under: harness.targetPath.appendingPathComponent("apps/\(app)/data")) {
                let handle = try FileHandle(forUpdating: pack)
                try handle.seek(toOffset: 200)
                let bytes = try handle.read(upToCount: 64) ?? Data()
                try handle.seek(toOffset: 200)
                try handle.write(contentsOf: Data(bytes.map { $0 ^ 0xff }))
                try handle.close()
            }
            let job = try await BackupJobTests.ended(try await jobs.restore(app, RestoreRequest()).job.id, harness)
            #expect(job.outcome == .rolledBack, "\(String(describing: job.failure))")
            #expect(try BackupHarness.walk(BackupHarness.mountpoint("\(app)_data")) == before)
            #expect(DockerCLI.lines(["inspect", "\(app)-app-1", "--format", "{{.State.StartedAt}}"]) == started, "the app was never stopped")
            let left = DockerCLI.lines(["volume", "ls", "-q", "--filter", "label=com.docker.compose.project=\(app)"]).sorted()
            #expect(left == ["\(app)_config", "\(app)_data"], "\(left)")
        }
    }

    static func packs(under folder: URL) throws -> [URL] {
        let found = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey])?.compactMap { $0 as? URL } ?? []
        return found.filter { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true }
    }
}
