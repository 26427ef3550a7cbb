@testable import Controller
import Foundation
import Protocol
import Testing
import TestSupport

/// The restore job as a value: every transition, the rollbacks from every state, resume, JSON, and a
/// property test over random event sequences. No I/O.
@Suite("restore machine")
struct RestoreMachineTests {
    typealias M = RestoreMachine
    static let parts = [
        M.Part(component: "db", device: "nas", project: "app-db", backupRun: "b1-1", run: "r1-1", volumes: ["pg": "app-db_pg_restored_r11"]),
        M.Part(component: "web", device: "pi4", project: "app-web", backupRun: "b1-2", run: "r1-2", volumes: ["files": "app-web_files_restored_r12"]),
    ]
    static func machine() -> M { M(deploymentID: "id-1", name: "app", target: "nas", parts: parts) }
    static let failure = HomelabError(.unhealthy, "web: app is unhealthy")

    static func run(_ machine: inout M, _ events: [M.Event]) {
        for event in events { _ = machine.handle(event) }
    }

    /// Every state short of an end, with the events that lead there from `start()`.
    static let reachable: [(String, [M.Event])] = [
        ("restoring 0", []),
        ("restoring 1", [.restored(index: 0, entries: 3, bytes: 10)]),
        ("swapping 0", [.restored(index: 0, entries: 3, bytes: 10), .restored(index: 1, entries: 1, bytes: 1)]),
        ("swapping 1", [.restored(index: 0, entries: 3, bytes: 10), .restored(index: 1, entries: 1, bytes: 1), .swapped(index: 0, [])]),
        ("committing 0", [.restored(index: 0, entries: 3, bytes: 10), .restored(index: 1, entries: 1, bytes: 1), .swapped(index: 0, []), .swapped(index: 1, [])]),
        ("reverting 1", [.restored(index: 0, entries: 3, bytes: 10), .restored(index: 1, entries: 1, bytes: 1), .swapped(index: 0, []), .failed(failure)]),
        ("discarding", [.failed(failure)]),
    ]

    @Test("a restore: each part restored, then each swapped in and healthy, then the old contents dropped; the deployment runs throughout but for the swaps")
    func happyPath() {
        var m = Self.machine()
        #expect(m.start().actions == [.restore(index: 0)] && m.subjectState == "running" && m.subject == "id-1")
        #expect(m.handle(.restored(index: 0, entries: 3, bytes: 10)).actions == [.restore(index: 1)])
        #expect(m.handle(.restored(index: 1, entries: 1, bytes: 1)).actions == [.swap(index: 0)] && m.subjectState == "starting")
        let swapped = m.handle(.swapped(index: 0, ["app is healthy"]))
        #expect(swapped.actions == [.swap(index: 1)] && swapped.steps.map(\.message) == ["db: swapped in and started", "db: app is healthy"])
        #expect(m.handle(.swapped(index: 1, [])).actions == [.commit(index: 0)] && m.subjectState == "running")
        #expect(m.handle(.committed(index: 0, problem: nil)).actions == [.commit(index: 1)])
        let done = m.handle(.committed(index: 1, problem: nil))
        #expect(done.actions.isEmpty && m.outcome == .succeeded && m.failure == nil && m.subjectState == "running")
        #expect(done.steps.last?.message == "Restored app: it runs on the data of backup run b1-1, b1-2")
    }

    @Test("a failure while restoring removes the fresh volumes (the app was never touched) and ends rolled back")
    func restoreFails() {
        var m = Self.machine()
        _ = m.start()
        _ = m.handle(.restored(index: 0, entries: 3, bytes: 10))
        #expect(m.handle(.failed(HomelabError(.restoreVerifyFailed, "differs"))).actions == [.discard] && m.subjectState == "rolling-back")
        let t = m.handle(.discarded(problems: []))
        #expect(t.actions.isEmpty && m.outcome == .rolledBack && m.failure?.code == .restoreVerifyFailed && m.subjectState == "running")
        #expect(m.failure?.context?["deployment"] == "app")
    }

    @Test("a failure while swapping part 1 puts part 1 back, then part 0, then removes the fresh volumes: rolled back")
    func swapFails() {
        var m = Self.machine()
        _ = m.start()
        Self.run(&m, [.restored(index: 0, entries: 3, bytes: 10), .restored(index: 1, entries: 1, bytes: 1), .swapped(index: 0, [])])
        #expect(m.handle(.failed(Self.failure)).actions == [.revert(index: 1)])
        #expect(m.handle(.reverted(index: 1, problem: nil)).actions == [.revert(index: 0)])
        #expect(m.handle(.reverted(index: 0, problem: nil)).actions == [.discard])
        _ = m.handle(.discarded(problems: []))
        #expect(m.outcome == .rolledBack && m.failure?.code == .unhealthy && m.left.isEmpty)
    }

    @Test("what a rollback cannot undo ends the job failed, saying what is left, with the cause's code kept")
    func rollbackIncomplete() {
        var m = Self.machine()
        _ = m.start()
        Self.run(&m, [.restored(index: 0, entries: 3, bytes: 10), .restored(index: 1, entries: 1, bytes: 1), .failed(Self.failure)])
        #expect(m.state == .reverting(index: 0))
        _ = m.handle(.failed(HomelabError(.deviceOffline, "nas is offline")))
        _ = m.handle(.discarded(problems: ["web on pi4: busy"]))
        #expect(m.outcome == .failed && m.failure?.code == .rollbackIncomplete && m.failure?.context?["cause"] == "unhealthy")
        #expect(m.failure?.message.contains("db on nas: nas is offline") == true && m.failure?.message.contains("web on pi4: busy") == true)
        #expect(m.subjectState == "failed")
    }

    @Test("old contents that cannot be dropped leave the restore done, saying so")
    func commitProblem() {
        var m = Self.machine()
        _ = m.start()
        Self.run(&m, [.restored(index: 0, entries: 3, bytes: 10), .restored(index: 1, entries: 1, bytes: 1), .swapped(index: 0, []), .swapped(index: 1, [])])
        let t = m.handle(.failed(HomelabError(.runtime, "cannot move")))
        #expect(t.actions == [.commit(index: 1)] && t.steps.first?.message == "db: the old contents could not be dropped (cannot move)")
        _ = m.handle(.committed(index: 1, problem: nil))
        #expect(m.outcome == .succeeded && m.left == ["cannot move"])
    }

    @Test("events that do not belong to the state change nothing", arguments: reachable.map(\.0))
    func outOfPlace(state: String) {
        var m = Self.machine()
        _ = m.start()
        Self.run(&m, Self.reachable.first { $0.0 == state }!.1)
        let all: [M.Event] = [.restored(index: 1, entries: 0, bytes: 0), .swapped(index: 1, []), .committed(index: 1, problem: nil), .reverted(index: 0, problem: nil),
                              .discarded(problems: []), .restored(index: 0, entries: 0, bytes: 0), .swapped(index: 0, []), .committed(index: 0, problem: nil),
                              .reverted(index: 1, problem: nil)]
        let fitting: (M.Event) -> Bool = { event in
            switch (m.state, event) {
            case (.restoring(let i), .restored(let j, _, _)), (.swapping(let i), .swapped(let j, _)), (.committing(let i), .committed(let j, _)),
                 (.reverting(let i), .reverted(let j, _)): i == j
            case (.discarding, .discarded): true
            default: false
            }
        }
        for event in all where !fitting(event) {
            let before = m.state
            let t = m.handle(event)
            #expect(t.actions.isEmpty && t.steps.isEmpty && m.state == before, "\(event)")
        }
    }

    @Test("after a restart every state redoes its own work; an ended job does nothing", arguments: reachable.map(\.0))
    func resume(state: String) {
        var m = Self.machine()
        _ = m.start()
        Self.run(&m, Self.reachable.first { $0.0 == state }!.1)
        var copy = m
        let t = copy.resume()
        #expect(t.actions == m.work && !t.actions.isEmpty && copy.state == m.state)
        #expect(t.steps.map(\.message) == ["Resumed after the controller restarted"])
        var ended = Self.machine()
        _ = ended.start()
        Self.run(&ended, [.failed(Self.failure), .discarded(problems: [])])
        #expect(ended.resume().actions.isEmpty && ended.handle(.failed(Self.failure)).actions.isEmpty && ended.outcome == .rolledBack)
    }

    @Test("the machine survives a round trip through its stored JSON in every state", arguments: reachable.map(\.0))
    func codable(state: String) throws {
        var m = Self.machine()
        _ = m.start()
        Self.run(&m, Self.reachable.first { $0.0 == state }!.1)
        let decoded = try WireCoding.decoder.decode(M.self, from: WireCoding.encoder.encode(m))
        #expect(decoded.state == m.state && decoded.parts == m.parts && decoded.failure == m.failure && decoded.left == m.left && decoded.target == m.target)
    }

    static func randomEvent(_ random: inout SplitMix64) -> M.Event {
        let index = Int.random(in: 0..<2, using: &random)
        switch Int.random(in: 0..<7, using: &random) {
        case 0: return .restored(index: index, entries: 1, bytes: 1)
        case 1: return .swapped(index: index, ["ok"])
        case 2: return .committed(index: index, problem: Bool.random(using: &random) ? "left" : nil)
        case 3: return .reverted(index: index, problem: Bool.random(using: &random) ? "left" : nil)
        case 4: return .discarded(problems: Bool.random(using: &random) ? ["left"] : [])
        default: return .failed(failure)
        }
    }

    @Test("property: over 3,000 random event sequences the invariants hold")
    func invariants() {
        MachineProperty.check(seed: 0x19_c, events: 1...30, make: { _ in Self.machine() }, event: Self.randomEvent, work: \.work, isFailure: { m, event in
            // A failure while committing is a leftover, not a failure the restore undoes.
            if case .failed = event, m.state != .committing(index: 0), m.state != .committing(index: 1) { return true }
            return false
        }, each: { m, failed, run in
            switch m.state {
            case .reverting, .discarding, .rolledBack, .failed:
                #expect(failed && m.failure != nil, "run \(run): a rollback without a failure before it")
            case .committing, .done:
                #expect(!failed, "run \(run): old contents dropped after a failure")
            default: break
            }
        })
    }
}
