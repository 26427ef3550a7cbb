import Foundation
import NIOCore
import Restic
import Synchronization
import Testing
import TestSupport

/// The restic executable the tests run, when installed.
enum InstalledRestic {
    static let path = Restic.locate(explicit: nil, searchPath: ProcessInfo.processInfo.environment["PATH"])
}

/// The restic runner against real restic and a repository in a temporary folder.
@Suite("restic runner (real restic)", .enabled(if: InstalledRestic.path != nil || Prerequisite.required, "restic is not installed (apt-get install restic)"))
struct ResticRunnerTests {
    struct Fixture {
        let dir: URL
        let restic: Restic
        let repository: ResticRepository

        init(limit: Duration = .seconds(600), _ name: String = #function) throws {
            dir = FileManager.default.temporaryDirectory.appendingPathComponent("homelab-restic-\(name.filter(\.isLetter))-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: dir.appendingPathComponent("data"), withIntermediateDirectories: true)
            restic = Restic(executable: try #require(InstalledRestic.path, "restic is not installed"), cacheDirectory: dir.appendingPathComponent("cache").path, host: "test-host",
                            inactivityLimit: limit)
            repository = ResticRepository(location: dir.appendingPathComponent("repo").path, password: "correct horse", label: "test repository")
        }

        func remove() { try? FileManager.default.removeItem(at: dir) }
    }

    @Test("a folder is backed up with JSON progress and a summary, and its snapshot lists with its tags and a root named after the folder")
    func backupAndList() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        try Data(repeating: 7, count: 3 << 20).write(to: fixture.dir.appendingPathComponent("data/blob"))
        try await fixture.restic.initializeIfMissing(fixture.repository)
        #expect(try await fixture.restic.initializeIfMissing(fixture.repository) == false, "a second call finds the repository")
        let statuses = Mutex<[ResticBackupMessage]>([])
        let summary = try await fixture.restic.backup(fixture.repository, directory: fixture.dir.path, path: "data", tags: ["homelab", "run=r1"]) { message in
            statuses.withLock { $0.append(message) }
        }
        #expect(summary.totalFiles == 1 && summary.totalBytes == 3 << 20)
        #expect(summary.snapshotID.count == 8, "restic 0.14 reports the short id")
        #expect(statuses.withLock { $0.contains { $0.messageType == "status" } })
        let snapshots = try await fixture.restic.snapshots(fixture.repository, tags: ["run=r1"])
        #expect(snapshots.count == 1)
        #expect(snapshots.first?.id.hasPrefix(summary.snapshotID) == true)
        #expect(snapshots.first?.tag("run") == "r1" && snapshots.first?.hostname == "test-host")
        #expect(try await fixture.restic.snapshots(fixture.repository, tags: ["run=other"]).isEmpty)
        let target = fixture.dir.appendingPathComponent("restored").path
        try await fixture.restic.restore(fixture.repository, snapshot: snapshots[0].id, target: target, verify: true)
        #expect(try Data(contentsOf: URL(fileURLWithPath: target + "/data/blob")) == Data(repeating: 7, count: 3 << 20))
    }

    @Test("an input that fails kills restic before its end: no snapshot is made, and the stale lock it leaves is removable")
    func failedInputMakesNoSnapshot() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        try await fixture.restic.initializeIfMissing(fixture.repository)
        struct ProducerFailed: Error {}
        await #expect(throws: ResticError.self) {
            _ = try await fixture.restic.backup(fixture.repository, stdinFilename: "db.dump", tags: ["run=bad"], input: { writer in
                try await writer.write(ByteBuffer(string: "the first half of a dump\n"))
                // Long enough for restic to have opened the repository and read what came: at the end
                // of its input it would save the half dump at once.
                try await Task.sleep(for: .seconds(3))
                throw ProducerFailed()
            }, progress: { _ in })
        }
        #expect(try await fixture.restic.snapshots(fixture.repository).isEmpty, "restic 0.14 would have saved the half dump had it seen its end")
        try await fixture.restic.unlock(fixture.repository)
        let summary = try await fixture.restic.backup(fixture.repository, stdinFilename: "db.dump", tags: ["run=good"], input: { writer in
            try await writer.write(ByteBuffer(string: "a whole dump\n"))
        }, progress: { _ in })
        #expect(try await fixture.restic.dump(fixture.repository, snapshot: summary.snapshotID, file: "/db.dump") == "a whole dump")
    }

    @Test("restic that makes no headway is stopped once the inactivity limit passes, with restic_stalled")
    func stalledRunIsStopped() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        try await fixture.restic.initializeIfMissing(fixture.repository)
        // Only the run under test has the short limit: on a loaded machine, init alone can stand still for 2 s.
        var stalling = fixture.restic
        stalling.inactivityLimit = .seconds(2)
        let started = ContinuousClock.now
        do {
            _ = try await stalling.backup(fixture.repository, stdinFilename: "slow", tags: [], input: { writer in
                try await writer.write(ByteBuffer(string: "a few bytes, then nothing"))
                try await Task.sleep(for: .seconds(3600))
            }, progress: { _ in })
            Issue.record("a run without headway ended normally")
        } catch {
            #expect(error.code == .stalled, "\(error)")
        }
        // Without the watchdog the run would last the input's hour; a loaded machine took 33 s to start restic and stop it.
        #expect(ContinuousClock.now - started < .seconds(300))
        #expect(try await fixture.restic.snapshots(fixture.repository).isEmpty)
    }

    @Test("a wrong password and a missing repository fail with their own codes")
    func errorCodes() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        do {
            _ = try await fixture.restic.snapshots(fixture.repository)
            Issue.record("listing a missing repository succeeded")
        } catch {
            #expect(error.code == .repositoryMissing, "\(error)")
        }
        try await fixture.restic.initializeIfMissing(fixture.repository)
        var wrong = fixture.repository
        wrong.password = "wrong"
        do {
            _ = try await fixture.restic.snapshots(wrong)
            Issue.record("a wrong password opened the repository")
        } catch {
            #expect(error.code == .wrongPassword, "\(error)")
            #expect(error.message.contains("test repository"))
        }
    }

    @Test("a missing executable is restic_missing")
    func missingExecutable() async throws {
        let restic = Restic(executable: "/nonexistent/restic", cacheDirectory: nil, host: "h")
        await #expect(throws: ResticError(.missing, "cannot run /nonexistent/restic: No such file or directory")) {
            _ = try await restic.version()
        }
        #expect(Restic.locate(explicit: "/nonexistent/restic", searchPath: nil) == nil)
    }
}
