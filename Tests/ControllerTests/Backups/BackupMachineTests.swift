@testable import Controller
import Foundation
import Protocol
import Testing
import TestSupport

/// The backup job as a value: every transition from every state, the failure edges, resume, JSON, and
/// a property test over random event sequences. No I/O.
@Suite("backup machine")
struct BackupMachineTests {
    typealias M = BackupMachine
    static let parts = [M.Part(component: "db", device: "nas", run: "r1-1"), M.Part(component: "web", device: "pi4", run: "r1-2")]

    static func machine(parts: [M.Part] = parts) -> M {
        M(deploymentID: "id-1", name: "app", target: "nas", parts: parts, retention: BackupRetention())
    }

    static func made(_ index: Int) -> M.Made {
        M.Made(component: parts[index].component, run: parts[index].run, snapshots: 2, files: 10, bytes: 2048, bytesAdded: 1024,
               downtimeSeconds: index == 0 ? 1.5 : nil)
    }

    static let failure = HomelabError(.backupTargetUnreachable, "nas cannot be reached")

    /// Every state the machine reaches, with the events that lead there from `start()`.
    static let reachable: [(String, [M.Event])] = [
        ("first part", []),
        ("second part", [.backedUp(made(0))]),
        ("retaining", [.backedUp(made(0)), .backedUp(made(1))]),
    ]

    @Test("a backup: each part in turn with its run id, then retention, then done; the deployment's state is left alone")
    func happyPath() {
        var m = Self.machine()
        let first = m.start()
        #expect(first.actions == [.backup(index: 0)] && m.stateName == "backing-up")
        #expect(first.steps.map(\.message) == ["Backing up app to nas"])
        #expect(m.subject == "backup:id-1" && m.subjectState == nil && m.outcome == nil)
        let second = m.handle(.backedUp(Self.made(0)))
        #expect(second.actions == [.backup(index: 1)])
        #expect(second.steps.first?.message.contains("db: 2 snapshots of 10 files") == true && second.steps.first?.message.contains("stopped for 1.5 s") == true)
        #expect(m.handle(.backedUp(Self.made(1))).actions == [.retain] && m.stateName == "retaining")
        let done = m.handle(.retained(forgotten: ["old-1", "old-2"], problem: nil))
        #expect(done.actions.isEmpty && m.outcome == .succeeded && m.failure == nil)
        #expect(done.steps.map(\.message) == ["Retention: forgot 2 older runs (old-1, old-2)", "Backed up app to nas"])
        #expect(m.made == [Self.made(0), Self.made(1)] && m.forgotten == ["old-1", "old-2"])
    }

    @Test("an app without volumes ends at once: nothing to back up")
    func nothing() {
        var m = Self.machine(parts: [])
        let t = m.start()
        #expect(t.actions.isEmpty && m.outcome == .succeeded)
        #expect(t.steps.last?.message == "app has no volumes: nothing to back up")
    }

    @Test("restic's progress is a step of the part that runs, and changes nothing else")
    func progress() {
        var m = Self.machine()
        _ = m.start()
        let p = RunProgress(phase: "volume data", percent: 40, bytesDone: 400 << 20, bytesTotal: 1 << 30, filesDone: 30, filesTotal: 80,
                            secondsRemaining: 12)
        let t = m.handle(.progress(component: "db", p))
        #expect(t.actions.isEmpty && m.state == .backingUp(index: 0))
        #expect(t.steps == [JobNote("db: volume data: 40% 400 MB of 1 GB, 30 of 80 files, about 12 s left", component: "db")])
        #expect(m.handle(.progress(component: "web", p)).steps.isEmpty, "progress of a part that does not run")
        #expect(M.words(RunProgress(phase: "stopping the app")) == "stopping the app")
    }

    @Test("a part that fails ends the job failed with its code and the deployment named; no retention runs", arguments: [0, 1])
    func partFails(index: Int) {
        var m = Self.machine()
        _ = m.start()
        if index == 1 { _ = m.handle(.backedUp(Self.made(0))) }
        let t = m.handle(.failed(Self.failure))
        #expect(t.actions.isEmpty && m.outcome == .failed && m.stateName == "failed")
        #expect(m.failure?.code == .backupTargetUnreachable && m.failure?.context?["deployment"] == "app")
        #expect(t.steps == [JobNote("Failed: nas cannot be reached", component: Self.parts[index].component)])
    }

    @Test("retention that cannot be applied leaves the backup standing: the job succeeds and says why")
    func retentionFails() {
        var m = Self.machine()
        _ = m.start()
        Self.run(&m, [.backedUp(Self.made(0)), .backedUp(Self.made(1))])
        let t = m.handle(.failed(HomelabError(.repositoryLocked, "apps/app is locked")))
        #expect(m.outcome == .succeeded && m.failure == nil && m.retentionProblem == "apps/app is locked")
        #expect(t.steps.map(\.message) == ["Retention not applied (apps/app is locked); the backup stands", "Backed up app to nas"])
        var quiet = Self.machine()
        _ = quiet.start()
        Self.run(&quiet, [.backedUp(Self.made(0)), .backedUp(Self.made(1))])
        #expect(quiet.handle(.retained(forgotten: [], problem: nil)).steps.first?.message == "Retention: nothing to forget")
    }

    @Test("events that do not belong to the state change nothing", arguments: reachable.map(\.0))
    func outOfPlace(state: String) {
        var m = Self.machine()
        _ = m.start()
        Self.run(&m, Self.reachable.first { $0.0 == state }!.1)
        let foreign: [M.Event] = switch m.state {
        case .backingUp(let index):
            [.retained(forgotten: ["x"], problem: nil), .backedUp(M.Made(component: "other", run: "r9", snapshots: 1, files: 1, bytes: 1, bytesAdded: 1)),
             .backedUp(M.Made(component: Self.parts[index].component, run: "wrong-run", snapshots: 1, files: 1, bytes: 1, bytesAdded: 1))]
        default:
            [.backedUp(Self.made(0)), .progress(component: "db", RunProgress(phase: "x"))]
        }
        for event in foreign {
            let before = m
            let t = m.handle(event)
            #expect(t.actions.isEmpty && t.steps.isEmpty && m.state == before.state && m.made == before.made, "\(event)")
        }
    }

    @Test("after a restart every state redoes its own work (the same run ids); an ended job does nothing", arguments: reachable.map(\.0))
    func resume(state: String) {
        var m = Self.machine()
        _ = m.start()
        Self.run(&m, Self.reachable.first { $0.0 == state }!.1)
        var copy = m
        let t = copy.resume()
        #expect(t.actions == m.work && !t.actions.isEmpty && copy.state == m.state && copy.parts == m.parts)
        #expect(t.steps.map(\.message) == ["Resumed after the controller restarted"])
    }

    @Test("an ended job takes no more events and resumes to nothing")
    func endedIsFinal() {
        for ending: [M.Event] in [[.failed(Self.failure)], [.backedUp(Self.made(0)), .backedUp(Self.made(1)), .retained(forgotten: [], problem: nil)]] {
            var m = Self.machine()
            _ = m.start()
            Self.run(&m, ending)
            let outcome = m.outcome
            #expect(outcome != nil)
            for event: M.Event in [.failed(Self.failure), .backedUp(Self.made(0)), .retained(forgotten: ["x"], problem: nil)] {
                let t = m.handle(event)
                #expect(t.actions.isEmpty && t.steps.isEmpty && m.outcome == outcome)
            }
            let resumed = m.resume()
            #expect(resumed.actions.isEmpty && resumed.steps.isEmpty)
        }
    }

    @Test("the machine survives a round trip through its stored JSON in every state")
    func codable() throws {
        var m = Self.machine()
        _ = m.start()
        for event: M.Event in [.backedUp(Self.made(0)), .backedUp(Self.made(1)), .failed(Self.failure)] {
            _ = m.handle(event)
            let decoded = try WireCoding.decoder.decode(M.self, from: WireCoding.encoder.encode(m))
            #expect(decoded.state == m.state && decoded.made == m.made && decoded.parts == m.parts && decoded.retention == m.retention
                    && decoded.retentionProblem == m.retentionProblem && decoded.subject == m.subject && decoded.target == m.target)
        }
    }

    static func run(_ machine: inout M, _ events: [M.Event]) {
        for event in events { _ = machine.handle(event) }
    }

    static func randomEvent(_ random: inout SplitMix64) -> M.Event {
        let index = Int.random(in: 0..<2, using: &random)
        switch Int.random(in: 0..<6, using: &random) {
        case 0: return .progress(component: parts[index].component, RunProgress(phase: "volume data", bytesDone: 1))
        case 1, 2: return .backedUp(made(index))
        case 3: return .retained(forgotten: Bool.random(using: &random) ? ["old"] : [], problem: Bool.random(using: &random) ? "locked" : nil)
        default: return .failed(failure)
        }
    }

    @Test("property: over 3,000 random event sequences the invariants hold")
    func invariants() {
        MachineProperty.check(seed: 0x19_b, events: 1...20, make: { _ in Self.machine() }, event: Self.randomEvent, work: \.work, isFailure: { _, _ in false },
                              each: { m, _, run in
            #expect(m.made.count <= m.parts.count && Set(m.made.map(\.run)).count == m.made.count, "run \(run): a part counted twice")
            if m.outcome == .failed { #expect(m.failure != nil, "run \(run): failed without a failure") }
            if m.outcome == .succeeded { #expect(m.made.count == m.parts.count, "run \(run): succeeded with a part not backed up") }
        })
    }
}
