import CLI
import Foundation
import Protocol
import Testing
import TestSupport

// Nested in the lab suite: one lab per machine, so every lab test runs in its one serialized suite.
extension LabTests {
    /// The controller's own state across a lost machine: backed up to a target device over mutual TLS
    /// while it runs, the recovery kit exported and opened with gpg, the state wiped, restored from the
    /// kit, and the agents back without enrolling again. Root only, under the lab lock.
    @Suite("Backups in the lab", .enabled(if: Prerequisite.runs(with: "/usr/bin/restic"), "backups need restic"))
    struct BackupLabTests {
        let lab = Lab()

        @Test("controller state backed up to the nas, the controller's state lost, restored from the recovery kit: the same devices come back online by themselves")
        func controllerReplaced() async throws {
            try lab.down()
            defer { try? lab.down() }
            try lab.up(["--device", "nas", "--device", "pi4", "--no-docker", "--heartbeat-ttl", "6"], agentExtra: "max_backoff: 2s\n")
            let settings = try lab.settings()
            let before = try await lab.waitForDevices(settings, within: .seconds(30), "nas and pi4 online") { devices in
                devices.count == 2 && devices.allSatisfy { $0.status == .online }
            }
            let folder = "\(lab.dir)/devices/nas/backups"
            let target = try await APIClient.withClient(settings) { client in
                try await client.put(APIPaths.backupTarget("nas"), json: BackupTargetRequest(path: folder), as: BackupTargetResource.self)
            }
            #expect(target.status?.serving == true && target.port == 7447)

            // The controller backs itself up to the nas while it runs.
            let state = "\(lab.dir)/controller"
            let backedUp = try lab.run(["exec", "controller", "\(Lab.binaries)/homelab-controller", "backup", "--state-dir", state])
            #expect(backedUp.contains("to rest:https://198.18.0.10:7447/controller/"), "\(backedUp)")

            // The kit, written by the CLI and opened the way the docs say.
            let work = "/tmp/homelab-lab-kit-\(UUID().uuidString.prefix(8))"
            try FileManager.default.createDirectory(atPath: work + "/kit", withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: work) }
            try "correct horse battery staple\n".write(toFile: work + "/passphrase", atomically: true, encoding: .utf8)
            let environment = try lab.environment().merging(["PATH": "/usr/bin:/bin"]) { $1 }
            let exported = try await ChildProcess.run("\(Lab.binaries)/homelab", ["backup", "export-keys", "--file", work + "/kit.tar.gpg",
                                                                              "--passphrase-file", work + "/passphrase"], environment: environment)
            #expect(exported.status == 0, "\(exported.output) \(exported.errors)")
            let opened = try await ChildProcess.run("/bin/sh", ["-c", "gpg --batch --quiet --pinentry-mode loopback --passphrase-file \(work)/passphrase -d \(work)/kit.tar.gpg | tar -x -C \(work)/kit"])
            #expect(opened.status == 0, "\(opened.errors)")
            let readme = try String(contentsOfFile: work + "/kit/README.txt", encoding: .utf8)
            #expect(readme.contains("rest:https://198.18.0.10:7447/controller/"), "\(readme)")

            // Plain restic from another device, with only the kit: the recovery identity reads over mutual TLS.
            let listed = try lab.run(["exec", "pi4", "restic", "-r", "rest:https://198.18.0.10:7447/controller/", "--cacert", work + "/kit/ca.pem",
                                      "--tls-client-cert", work + "/kit/recovery.pem", "--password-file", work + "/kit/passwords/controller.txt",
                                      "--no-cache", "snapshots", "--tag", "kind=controller"])
            #expect(listed.contains("1 snapshots"), "\(listed)")

            // The machine is lost: the controller stops and its state is gone.
            try stopController()
            try FileManager.default.moveItem(atPath: state, toPath: work + "/lost-state")
            let restored = try lab.run(["exec", "controller", "\(Lab.binaries)/homelab-controller", "restore", "--state-dir", state, "--kit", work + "/kit"])
            #expect(restored.contains("restored snapshot"), "\(restored)")
            try lab.run(["restart-controller"])
            let after = try await lab.waitForDevices(settings, within: .seconds(45), "nas and pi4 back online on the restored controller") { devices in
                devices.count == 2 && devices.allSatisfy { $0.status == .online }
            }
            #expect(Set(after.map(\.id)) == Set(before.map(\.id)), "the same devices, not new enrollments")
            let targets = try await APIClient.withClient(settings) { client in
                try await client.get(APIPaths.backupTargets, as: ListResponse<BackupTargetResource>.self).items
            }
            #expect(targets.map(\.device) == ["nas"] && targets.first?.repositories == 1)
        }

        /// TERM to the controller, then waits until it is gone.
        private func stopController() throws {
            let pid = try String(contentsOfFile: lab.dir + "/controller.pid", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            guard let number = Int32(pid) else { throw LabError(description: "no controller pid") }
            kill(number, SIGTERM)
            for _ in 0..<100 where kill(number, 0) == 0 { usleep(100_000) }
            if kill(number, 0) == 0 { kill(number, SIGKILL) }
        }
    }
}
