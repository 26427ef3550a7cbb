@testable import Controller
import Foundation
import Protocol
import Testing

/// The check job as a value: its one action, both ends, resume, what it asks restic for, and JSON. No I/O.
@Suite("backup check machine")
struct BackupCheckMachineTests {
    typealias M = BackupCheckMachine

    @Test("a check: one run on the target, then done; the app's backup subject, its state left alone")
    func happyPath() throws {
        var m = M(deploymentID: "id-1", name: "app", target: "nas", readDataPercent: 5, run: "c1")
        let start = m.start()
        #expect(start.actions == [.check] && m.outcome == nil && m.stateName == "checking")
        #expect(start.steps.map(\.message) == ["Checking the backups of app on nas: its structure and 5 % of its data"])
        #expect(m.subject == BackupMachine.subject(of: "id-1") && m.subjectState == nil && m.readData == "5%")
        let done = m.handle(.checked)
        #expect(done.actions.isEmpty && m.outcome == .succeeded && m.failure == nil)
        #expect(done.steps.map(\.message) == ["Checked the backups of app on nas (its structure and 5 % of its data): no damage found"])
        #expect(m.handle(.checked).steps.isEmpty && m.outcome == .succeeded, "an event after the end changes nothing")
        #expect(m.resume().actions.isEmpty)
    }

    @Test("damage found (or the target gone) fails the job with the agent's code, naming the app")
    func failure() {
        var m = M(deploymentID: "id-1", name: "app", target: "nas", readDataPercent: 100, run: "c1")
        _ = m.start()
        let failed = m.handle(M.failed(.check, HomelabError(.backupTargetUnreachable, "nas cannot be reached")))
        #expect(m.outcome == .failed && m.failure?.code == .backupTargetUnreachable && m.failure?.context?["deployment"] == "app")
        #expect(failed.steps.map(\.message) == ["Failed: nas cannot be reached"] && failed.actions.isEmpty)
        #expect(m.handle(.checked).steps.isEmpty && m.outcome == .failed, "a late success does not undo the failure")
    }

    @Test("0 % reads the structure only; a resumed check attaches to its run again; the machine survives JSON")
    func structureOnlyResumeAndJSON() throws {
        var m = M(deploymentID: "id-1", name: "app", target: "nas", readDataPercent: 0, run: "c1")
        #expect(m.readData == nil && m.start().steps.first?.message == "Checking the backups of app on nas: its structure")
        let resumed = m.resume()
        #expect(resumed.steps.first?.message == "Resumed after the controller restarted" && resumed.actions == [.check])
        let back = try WireCoding.decoder.decode(M.self, from: WireCoding.encoder.encode(m))
        #expect(back.run == "c1" && back.state == m.state && back.target == "nas" && back.readDataPercent == 0)
    }
}
