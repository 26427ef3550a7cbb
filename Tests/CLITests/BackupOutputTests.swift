import ArgumentParser
import Foundation
import Protocol
import Testing
@testable import CLI

@Suite("backup output")
struct BackupOutputTests {
    @Test("the runs table: newest first as given, sizes in binary units, '-' where a run has none, incomplete runs said so")
    func runsTable() {
        let runs = [
            BackupRunEntry(run: "t9xk-2f", time: Date(timeIntervalSince1970: 1_796_184_000), component: nil, device: "pi4", complete: true,
                           items: ["volume:config", "volume:data"], snapshots: ["a", "b", "c"], files: 120, bytes: 5 << 20, bytesAdded: 1536),
            BackupRunEntry(run: "t9aa-01", time: Date(timeIntervalSince1970: 1_796_097_600), component: "db", device: "pi4", complete: false,
                           items: ["dump:db.pgdump"], snapshots: ["d"]),
        ]
        #expect(BackupRunTable(runs: runs).render() == """
            RUN      TIME                  COMPONENT  DEVICE  SIZE  ADDED  HOLDS                      STATE
            t9xk-2f  2026-12-02T04:00:00Z  -          pi4     5.0M  1.5K   volume:config,volume:data  complete
            t9aa-01  2026-12-01T04:00:00Z  db         pi4     -     -      dump:db.pgdump             incomplete

            """)
    }

    @Test("the policy view says the schedule with the app's jitter, the next run, the target and what is kept; set fills unset rules with the defaults")
    func policy() throws {
        let policy = BackupPolicyResource(deployment: "vaultwarden", schedule: "0 3 * * *", jitterMinutes: 17, target: nil, retention: BackupRetention(),
                                          enabled: true, isDefault: true, nextRunAt: Date(timeIntervalSince1970: 1_796_181_420))
        #expect(BackupPolicyView.render(policy) == """
            App:        vaultwarden (default policy)
            Schedule:   0 3 * * * + 17 min (this app's jitter)
            Next run:   2026-12-02T03:17:00Z
            Target:     the only target
            Keeps:      last 3, daily 7, weekly 4, monthly 6

            """)
        let set = try BackupPolicySet.parse(["vaultwarden", "--schedule", "30 2 * * *", "--keep-daily", "14", "--disable"]).makeSpec()
        #expect(set == BackupPolicySpec(schedule: "30 2 * * *", retention: BackupRetention(keepLast: 3, keepDaily: 14, keepWeekly: 4, keepMonthly: 6), enabled: false))
        #expect(try BackupPolicySet.parse(["vaultwarden"]).makeSpec() == BackupPolicySpec(), "nothing given: every field its default")
    }

    @Test("backup now, list, check and restore parse their name, target and --detach; a missing name is a usage error")
    func parsing() throws {
        let now = try BackupNow.parse(["vaultwarden", "--target", "nas", "--detach"])
        #expect(now.name == "vaultwarden" && now.target == "nas" && now.detach)
        let list = try BackupList.parse(["vaultwarden"])
        #expect(list.name == "vaultwarden" && list.target == nil)
        #expect(throws: (any Error).self) { try BackupNow.parse([]) }
        #expect(BackupCommand.configuration.subcommands.map { $0.configuration.commandName } == ["now", "list", "check", "restore", "policy", "targets", "export-keys"])
        let check = try BackupCheck.parse(["vaultwarden", "--read-data", "100"])
        #expect(check.name == "vaultwarden" && check.readData == 100 && check.target == nil)
        #expect(try BackupCheck.parse(["vaultwarden"]).readData == 5, "5 % unless asked")
        #expect(throws: (any Error).self, "a percent") { try BackupCheck.parse(["vaultwarden", "--read-data", "101"]) }
        let restore = try BackupRestore.parse(["vaultwarden", "--snapshot", "t9xk-2f"])
        #expect(restore.name == "vaultwarden" && restore.snapshot == "t9xk-2f" && !restore.detach)
    }
}
