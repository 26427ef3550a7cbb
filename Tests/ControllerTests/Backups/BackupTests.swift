import Controller
import Foundation
import Logging
import Protocol
import Testing
import TestSupport

/// Backups end to end: the coordinator → the source agent (a real process) → real restic → the target
/// agent's REST server (another real process) → its folder; and back, into fresh volumes.
@Suite("Backups (real agents, restic and dockerd)", .serialized, .timeLimit(.minutes(8)),
       .enabled(if: DockerForControllerTests.enabled && Prerequisite.runs(with: "/usr/bin/restic")))
struct BackupTests {
    static func unique(_ prefix: String) -> String { "\(prefix)-\(String(UInt32.random(in: .min ... .max), radix: 16))" }

    @Test("a stop-mode backup restores byte-identical into fresh Compose-labelled volumes, the app runs throughout but for the copy, and check finds a corrupted pack")
    func backupRestoreAndCheck() async throws {
        try await BackupHarness.with { harness in
            let app = Self.unique("files")
            _ = try await harness.deploy("backup-files", as: app)
            try BackupHarness.fillWithEveryKind("\(app)_data")
            try BackupHarness.inVolume("\(app)_config", "echo 'setting: 1' > /v/app.yaml")
            let original = try BackupHarness.walk(BackupHarness.mountpoint("\(app)_data"))

            let backup = try await harness.backups.backup(app)
            let outcome = try #require(backup.status.backup)
            #expect(Set(outcome.snapshots.map(\.kind)) == ["volume", "manifest"])
            #expect(outcome.snapshots.filter { $0.kind == "volume" }.map(\.item).sorted() == ["config", "data"])
            #expect((outcome.downtimeSeconds ?? 0) > 0, "stop mode stopped the app")
            #expect(DockerCLI.state(of: "\(app)-app-1") == "running", "the app runs again after the backup")
            let snapshots = try await harness.backups.snapshots(app)
            #expect(snapshots.contains { $0.run == backup.run && $0.kind == "manifest" })

            let restored = try await harness.backups.restore(app, backupRun: backup.run)
            let volumes = try #require(restored.status.restore?.volumes)
            #expect(volumes.allSatisfy { $0.verified }, "every volume matched the manifest taken at backup")
            let fresh = try #require(volumes.first { $0.key == "data" }?.volume)
            #expect(fresh != "\(app)_data")
            #expect(try BackupHarness.walk(BackupHarness.mountpoint(fresh)) == original, "restored byte-identical, metadata included")
            #expect(try BackupHarness.walk(BackupHarness.mountpoint("\(app)_data")) == original, "the volume in use is untouched")
            let labels = DockerCLI.lines(["volume", "inspect", fresh, "--format", "{{json .Labels}}"]).joined()
            #expect(labels.contains("\"com.docker.compose.project\":\"\(app)\"") && labels.contains("\"com.docker.compose.volume\":\"data\""), "\(labels)")
            #expect(labels.contains("\"io.homelab.restored-from\":\"\(backup.run)\""))

            // A restore never replaces a volume: the same fresh names again are refused and nothing changes.
            await #expect(throws: HomelabError.self) {
                _ = try await harness.backups.restore(app, backupRun: backup.run, volumes: ["data": fresh])
            }

            // One flipped byte in a pack on the target's disk: check reads it and names the damage.
            try harness.corruptPack(of: app)
            do {
                _ = try await harness.backups.check(app, readData: "100%")
                Issue.record("check passed over a corrupted pack")
            } catch let error as HomelabError {
                #expect(error.code == "repository_check_failed", "\(error.code): \(error.message)")
                #expect(error.message.contains("apps/\(app) on nas"), "\(error.message)")
            }
        }
    }

    @Test("a source certificate may not delete a pack (403), an unknown, a revoked or a foreign certificate gets nothing, the prune identity deletes")
    func whoMayDoWhat() async throws {
        try await BackupHarness.with { harness in
            let app = Self.unique("acl")
            _ = try await harness.deploy("backup-files", as: app)
            let backup = try await harness.backups.backup(app)
            let base = "https://127.0.0.1:\(harness.targetPort)/apps/\(app)"
            let ca = harness.dir.appendingPathComponent("controller/pki/ca.pem").path
            let box = try Self.clientPEM(harness.dir.appendingPathComponent("box"), into: harness.dir.appendingPathComponent("box.pem"))
            let nas = try Self.clientPEM(harness.dir.appendingPathComponent("nas"), into: harness.dir.appendingPathComponent("nas.pem"))
            let prune = harness.dir.appendingPathComponent("prune.pem")
            try harness.controller.app.context.backups.targets.prune.combinedPEM.write(to: prune, atomically: true, encoding: .utf8)
            let pack = try #require(try Self.files(under: harness.targetPath.appendingPathComponent("apps/\(app)/data")).first)
            let packURL = "\(base)/data/\(pack.url.lastPathComponent)"

            // The listing is restic's v2, with the media type exactly; a folder that is not there is an empty list.
            let listing = try Self.curl(["-H", "Accept: application/vnd.x.restic.rest.v2", "-D", "-", "\(base)/data/"], cert: box, ca: ca)
            #expect(listing.output.contains("Content-Type: application/vnd.x.restic.rest.v2\r\n"), "\(listing.output)")
            #expect(listing.output.contains("\"name\":\"\(pack.url.lastPathComponent)\""))
            try FileManager.default.removeItem(at: harness.targetPath.appendingPathComponent("apps/\(app)/locks"))
            #expect(try Self.curl(["-H", "Accept: application/vnd.x.restic.rest.v2", "\(base)/locks/"], cert: box, ca: ca).output == "200 []")

            #expect(try Self.status(["-X", "DELETE", packURL], cert: box, ca: ca) == 403, "append-only: a source cannot delete a pack")
            #expect(FileManager.default.fileExists(atPath: pack.url.path))
            #expect(try Self.status(["-X", "DELETE", "\(base)/config"], cert: box, ca: ca) == 403)
            let existing = try Self.status(["-X", "POST", "--data-binary", "@\(pack.url.path)", packURL], cert: box, ca: ca)
            #expect(existing == 403, "a file that exists is never replaced")
            let wrongName = String(repeating: "0", count: 64)
            #expect(try Self.status(["-X", "POST", "--data-binary", "not this", "\(base)/locks/\(wrongName)"], cert: box, ca: ca) == 400,
                    "content that does not hash to its name is refused")
            #expect(try Self.status([packURL], cert: nas, ca: ca) == 403, "a certificate of the CA that was granted nothing gets nothing")
            let foreign = try Self.foreignPEM(in: harness.dir)
            let handshake = try Self.curl([packURL], cert: foreign, ca: ca)
            #expect(handshake.status != 0 && !handshake.output.hasPrefix("200"), "a certificate of another CA fails the handshake: \(handshake)")
            #expect(try Self.status(["-X", "DELETE", "\(base)/locks/\(wrongName)"], cert: prune.path, ca: ca) == 200)

            // A snapshot file cannot be deleted by the source either; the controller's prune identity, running restic, forgets it.
            let snapshot = try #require(try await harness.backups.snapshots(app).first { $0.run == backup.run }?.id)
            #expect(try Self.status(["-X", "DELETE", "\(base)/snapshots/\(snapshot)"], cert: box, ca: ca) == 403)
            let forgotten = try await harness.backups.forget(app, runs: [backup.run])
            #expect(forgotten.contains(snapshot))
            #expect(try await harness.backups.snapshots(app).filter { $0.run == backup.run }.isEmpty)

            // Removing the device revokes it: the target hears of it and refuses its certificate.
            try await harness.controller.registry.remove("box")
            var refused = false
            for _ in 0..<50 where !refused {
                refused = try Self.status([packURL], cert: box, ca: ca) == 403
                if !refused { try await Task.sleep(for: .milliseconds(200)) }
            }
            #expect(refused, "the removed device's certificate still reads the repository")
        }
    }

    @Test("target disk full: the backup fails naming the target, the app runs, and nothing half-written counts as a snapshot", .enabled(if: getuid() == 0))
    func targetDiskFull() async throws {
        let mount = try LoopMount(megabytes: 32)
        defer { mount.remove() }
        try await BackupHarness.with(targetPath: mount.folder.appendingPathComponent("backups")) { harness in
            let app = Self.unique("full")
            _ = try await harness.deploy("backup-files", as: app)
            try BackupHarness.inVolume("\(app)_data", "dd if=/dev/urandom of=/v/big bs=1048576 count=64 2>/dev/null")
            let run = BackupCoordinator.runID()
            do {
                _ = try await harness.backups.backup(app, run: run)
                Issue.record("a backup larger than the target's disk succeeded")
            } catch let error as HomelabError {
                #expect(error.code == "backup_target_full", "\(error.code): \(error.message)")
                #expect(error.httpStatus == 507)
                #expect(error.message.contains("nas"), "\(error.message)")
            }
            #expect(DockerCLI.state(of: "\(app)-app-1") == "running")
            let snapshots = try await harness.backups.snapshots(app)
            #expect(!snapshots.contains { $0.run == run && $0.kind == "manifest" }, "the failed run does not count: \(snapshots)")
            let leftovers = try Self.files(under: harness.targetPath).filter { $0.url.lastPathComponent.contains(".tmp-") }
            #expect(leftovers.isEmpty, "half-written files stayed: \(leftovers.map(\.url.path))")
        }
    }

    @Test("the agent SIGKILLed mid-backup: the run ends as interrupted, the app runs again once the agent is back, the next backup succeeds; a controller restarted mid-backup attaches to the run")
    func agentKilledMidBackup() async throws {
        try await BackupHarness.with { harness in
            let app = Self.unique("killed")
            _ = try await harness.deploy("backup-files", as: app)
            try BackupHarness.inVolume("\(app)_data", "for i in 1 2 3 4 5 6; do dd if=/dev/urandom of=/v/chunk$i bs=1048576 count=64 2>/dev/null; done")
            let run = BackupCoordinator.runID()
            let backups = harness.backups
            let pending = Task { try await backups.backup(app, run: run) }
            let hold = harness.dir.appendingPathComponent("box/backups/holds/\(app).json")
            var stopped = false
            for _ in 0..<300 where !stopped {
                stopped = FileManager.default.fileExists(atPath: hold.path) && DockerCLI.state(of: "\(app)-app-1") == "exited"
                if !stopped { try await Task.sleep(for: .milliseconds(50)) }
            }
            try #require(stopped, "the backup never stopped the app\n\(harness.source.output)")
            try await harness.restartSource(kill: true)
            do {
                _ = try await pending.value
                Issue.record("a backup whose agent was killed succeeded")
            } catch let error as HomelabError {
                #expect(error.code == "backup_interrupted", "\(error.code): \(error.message)")
            }
            var running = false
            for _ in 0..<100 where !running {
                running = DockerCLI.state(of: "\(app)-app-1") == "running"
                if !running { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(running, "the agent did not start the app again\n\(harness.source.output)")
            #expect(!FileManager.default.fileExists(atPath: hold.path))
            let next = try await harness.backups.backup(app)
            #expect(next.status.state == .succeeded, "no stale lock blocks the next backup")

            // The controller restarted mid-backup: the agent goes on, and the new controller attaches to the run by its id.
            let third = BackupCoordinator.runID()
            let abandoned = Task { try await backups.backup(app, run: third) }
            var started = false
            for _ in 0..<300 where !started {
                started = FileManager.default.fileExists(atPath: hold.path)
                if !started { try await Task.sleep(for: .milliseconds(50)) }
            }
            try #require(started, "the third backup never started")
            abandoned.cancel()
            try await harness.restartController()
            let resumed = try await harness.backups.backup(app, run: third)
            #expect(resumed.status.state == .succeeded && resumed.status.backup?.snapshots.contains { $0.kind == "manifest" } == true)
            let manifests = try await harness.backups.snapshots(app).filter { $0.run == third && $0.kind == "manifest" }
            #expect(manifests.count == 1, "the run was attached to, not run again")
        }
    }

    @Test("dump mode: a FAKE pg_dump that exits 1 fails the backup and leaves no dump snapshot; a real sqlite3 dump is kept and plain restic reads it back")
    func dumps() async throws {
        try await BackupHarness.with { harness in
            let failing = Self.unique("pg"), working = Self.unique("lite")
            _ = try await harness.deploy("backup-fakepg", as: failing)
            let run = BackupCoordinator.runID()
            do {
                _ = try await harness.backups.backup(failing, run: run)
                Issue.record("a backup whose pg_dump failed succeeded")
            } catch let error as HomelabError {
                #expect(error.code == "backup_dump_failed", "\(error.code): \(error.message)")
                #expect(error.message.contains("exited 1") && error.message.contains("server closed the connection"), "\(error.message)")
            }
            #expect(try await harness.backups.snapshots(failing).filter { $0.run == run }.isEmpty, "no snapshot of the failed run")
            #expect(DockerCLI.state(of: "\(failing)-db-1") == "running", "dump mode never stops the app")

            _ = try await harness.deploy("backup-sqlite", as: working)
            let backup = try await harness.backups.backup(working)
            let outcome = try #require(backup.status.backup)
            #expect(outcome.downtimeSeconds == nil)
            let dump = try #require(outcome.snapshots.first { $0.kind == "dump" })
            #expect(dump.item == "app.sql")
            // The recovery kit's location and password, and plain restic on the target's folder.
            let kit = try await harness.controller.app.context.backups.targets.recoveryKit()
            let entry = try #require(kit.repositories.first { $0.app == working })
            let text = try await ChildProcess.run("/usr/bin/restic", ["-r", entry.path, "--no-cache", "dump", dump.id, "/app.sql"],
                                            environment: ["RESTIC_PASSWORD": entry.password, "PATH": "/usr/bin:/bin"])
            #expect(text.status == 0, "\(text.errors)")
            #expect(text.output.contains("INSERT INTO notes VALUES('kept');"), "\(text.output)")
            let hook = try await ChildProcess.run("/usr/bin/docker", ["exec", "\(working)-app-1", "ls", "/data/pre-hook-ran"])
            #expect(hook.status == 0, "the recipe's pre-backup hook ran in the app's container")

            // A folder on the device itself (a USB disk): its own apps back up there without REST.
            let usb = harness.dir.appendingPathComponent("box-usb")
            let local = try await harness.controller.app.context.backups.targets.add(device: "box", BackupTargetRequest(path: usb.path, kind: "local"))
            #expect(local.kind == "local" && local.port == nil)
            let onDevice = try await harness.backups.backup(working, target: "box")
            #expect(onDevice.status.state == .succeeded)
            #expect(FileManager.default.fileExists(atPath: usb.appendingPathComponent("apps/\(working)/config").path))
            #expect(try await harness.backups.snapshots(working, target: "box").contains { $0.run == onDevice.run && $0.kind == "manifest" })
        }
    }

    // MARK: Helpers

    static func files(under folder: URL) throws -> [(url: URL, size: Int)] {
        guard let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.fileSizeKey, .isRegularFileKey]) else { return [] }
        return try walker.compactMap { item in
            guard let url = item as? URL, try url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile == true else { return nil }
            return (url, try url.resourceValues(forKeys: [.fileSizeKey]).fileSize ?? 0)
        }
    }

    /// An agent's certificate and key in one file, as curl's --cert reads them.
    static func clientPEM(_ state: URL, into file: URL) throws -> String {
        let certificate = try String(contentsOf: state.appendingPathComponent("cert.pem"), encoding: .utf8)
        let key = try String(contentsOf: state.appendingPathComponent("key.pem"), encoding: .utf8)
        try (certificate + "\n" + key + "\n").write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }

    /// A self-signed certificate and key of a CA that is not the homelab's.
    static func foreignPEM(in dir: URL) throws -> String {
        let key = dir.appendingPathComponent("foreign-key.pem").path, cert = dir.appendingPathComponent("foreign-cert.pem").path
        let made = try ChildProcess.run("/usr/bin/openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                                                            "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=stranger"])
        guard made.status == 0 else { throw TestFailure("openssl: \(made.errors)") }
        let both = dir.appendingPathComponent("foreign.pem")
        try (String(contentsOfFile: cert, encoding: .utf8) + String(contentsOfFile: key, encoding: .utf8)).write(to: both, atomically: true, encoding: .utf8)
        return both.path
    }

    /// curl with a client certificate: its exit status and "STATUS BODY" (or the headers with -D -).
    static func curl(_ arguments: [String], cert: String, ca: String) throws -> (status: Int32, output: String) {
        let done = try ChildProcess.run("/usr/bin/curl", ["-s", "--max-time", "10", "--cert", cert, "--cacert", ca, "-w", "%{http_code} "] + arguments)
        // -w prints after the body: move the status to the front for readable expectations.
        let text = done.output
        guard let space = text.lastIndex(of: " "), !arguments.contains("-D") else { return (done.status, text) }
        let code = text[..<space].suffix(3)
        let body = text[..<space].dropLast(3)
        return (done.status, "\(code) \(body)")
    }

    static func status(_ arguments: [String], cert: String, ca: String) throws -> Int {
        Int(try curl(["-o", "/dev/null"] + arguments, cert: cert, ca: ca).output.prefix(3)) ?? 0
    }
}

/// A small ext4 file system on a loop device, mounted in a temporary folder (root only).
struct LoopMount {
    let image: URL
    let folder: URL

    init(megabytes: Int) throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("homelab-loop-\(UUID().uuidString.prefix(8))")
        image = base.appendingPathExtension("img")
        folder = base
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for command in [["truncate", "-s", "\(megabytes)M", image.path], ["mkfs.ext4", "-q", "-F", image.path], ["mount", "-o", "loop", image.path, folder.path]] {
            let done = try ChildProcess.run("/usr/bin/env", command)
            guard done.status == 0 else { throw TestFailure("\(command.joined(separator: " ")): \(done.errors)") }
        }
    }

    func remove() {
        _ = try? ChildProcess.run("/usr/bin/env", ["umount", folder.path])
        try? FileManager.default.removeItem(at: folder)
        try? FileManager.default.removeItem(at: image)
    }
}

/// The controller's own state, backed up to the target and restored into a new state folder, as on
/// a new machine (the lab test does the same across namespaces, with the CLI and gpg).
@Suite("Controller state backup (real agents and restic)", .serialized, .timeLimit(.minutes(8)),
       .enabled(if: DockerForControllerTests.enabled && Prerequisite.runs(with: "/usr/bin/restic")))
struct ControllerStateBackupTests {
    @Test("the controller's state goes to the target while it runs; restored from the kit into an empty folder, the same agents reconnect by themselves")
    func restoredOnANewMachine() async throws {
        try await BackupHarness.with { harness in
            let state = harness.dir.appendingPathComponent("controller")
            let before = try await harness.controller.registry.list()
            let fingerprint = harness.controller.app.context.authority.fingerprint
            let backedUp = try await ControllerStateBackup(stateDirectory: state).backup(target: nil, logger: Logger(label: "test"))
            #expect(backedUp.repository == "rest:https://127.0.0.1:\(harness.targetPort)/controller/")

            // The kit as `gpg -d … | tar -x` leaves it: kit.json, ca.pem, recovery.pem.
            let kit = try await harness.controller.app.context.backups.targets.recoveryKit()
            #expect(kit.repositories.map(\.name) == ["controller"])
            let folder = harness.dir.appendingPathComponent("kit")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try WireCoding.encoder.encode(kit).write(to: folder.appendingPathComponent("kit.json"))
            try kit.caCertificate.write(to: folder.appendingPathComponent("ca.pem"), atomically: true, encoding: .utf8)
            try kit.clientCertificate.write(to: folder.appendingPathComponent("recovery.pem"), atomically: true, encoding: .utf8)

            // The machine is lost: the controller stops, its folder is gone; a new one is restored.
            let agentPort = harness.controller.agentPort
            await harness.controller.stop()
            try FileManager.default.moveItem(at: state, to: harness.dir.appendingPathComponent("lost"))
            let fresh = harness.dir.appendingPathComponent("new-machine")
            let restored = try await ControllerStateBackup(stateDirectory: fresh).restore(kit: folder)
            #expect(restored.snapshot.hasPrefix(backedUp.snapshot))
            await #expect(throws: HomelabError.self, "a second restore into a folder with state is refused") {
                _ = try await ControllerStateBackup(stateDirectory: fresh).restore(kit: folder)
            }
            let controller = try await TestController.start(stateDirectory: fresh, agentPort: agentPort)
            do {
                for device in before {
                    let back = try await controller.waitForDevice(device.name, timeout: .seconds(30)) { $0.status == .online }
                    #expect(back.id == device.id, "the same device, not a new enrollment")
                }
                let targets = try await controller.app.context.backups.targets.list()
                #expect(targets.map(\.device) == ["nas"])
                let free = try #require(targets.first?.status?.freeBytes, "a listing measures each online target's folder then, not only when it was added")
                #expect(free > 0 && free <= targets.first?.status?.totalBytes ?? 0)
                #expect(controller.app.context.authority.fingerprint == fingerprint)
            } catch {
                await controller.stop()
                throw error
            }
            await controller.stop()
        }
    }
}
