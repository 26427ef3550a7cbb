@testable import Controller
import Foundation
import Protocol
import Testing
import TestSupport

/// The migration job as a value: every transition, every failure edge before and after the commit point,
/// resume from every state, JSON, and a property test over random event sequences. No I/O.
@Suite("migration machine")
struct MigrationMachineTests {
    typealias M = MigrationMachine

    static func machine(warm: Bool = false, removeSource: Bool = false) -> M {
        M(subject: "id-1", name: "notes", component: "app", project: "notes-app", source: "nas", destination: "pi4", warm: warm,
          removeSource: removeSource, healthTimeout: 30, intro: [JobNote("Moving notes (app) from nas to pi4 (chosen by you)")])
    }

    static let failure = HomelabError(.manifestMismatch, "volume notes-app_data: pi4 wrote a manifest b that is not nas's a")
    static let checked = M.Event.checked(volumes: ["notes-app_data"], ["notes-app_data: 12 MB", "pi4 has 3 GB free"])

    /// The events that take a cold migration from its start to each state before the end.
    static let reachable: [(M.State, [M.Event])] = [
        (.checking, []),
        (.pulling, [checked]),
        (.stopping, [checked, .pulled("pulled")]),
        (.copying, [checked, .pulled("pulled"), .stopped]),
        (.applying, [checked, .pulled("pulled"), .stopped, .copied(final: true, "copied")]),
        (.checkingHealth, [checked, .pulled("pulled"), .stopped, .copied(final: true, "copied"), .applied]),
        (.committing, [checked, .pulled("pulled"), .stopped, .copied(final: true, "copied"), .applied, .healthy([])]),
        (.repointing, [checked, .pulled("pulled"), .stopped, .copied(final: true, "copied"), .applied, .healthy([]), .committed]),
    ]

    static func at(_ state: M.State, warm: Bool = false, removeSource: Bool = false) -> M {
        var m = machine(warm: warm, removeSource: removeSource)
        _ = m.start()
        for event in reachable.first(where: { $0.0 == state })!.1 { _ = m.handle(event) }
        #expect(m.state == state)
        return m
    }

    @Test("a cold migration: preflight, pull at the destination, stop, copy, apply, health, commit, repoint, moved with the source kept")
    func happyPath() {
        var m = Self.machine()
        var t = m.start()
        #expect(m.state == .checking && t.actions == [.preflight] && m.subjectState == "migrating")
        #expect(t.steps.map(\.message) == ["Moving notes (app) from nas to pi4 (chosen by you)"])
        t = m.handle(Self.checked)
        #expect(m.state == .pulling && t.actions == [.pull] && m.volumes == ["notes-app_data"])
        #expect(t.steps.map(\.message) == ["notes-app_data: 12 MB", "pi4 has 3 GB free", "Pulling the images on pi4 while app runs on nas"])
        t = m.handle(.pulled("pi4 pulled alpine:3.20"))
        #expect(m.state == .stopping && t.actions == [.stopSource] && m.sourceStopped)
        t = m.handle(.stopped)
        #expect(m.state == .copying && t.actions == [.copy(final: true)] && t.steps.map(\.message) == ["Copying the volumes to pi4"])
        t = m.handle(.copied(final: true, "notes-app_data: 12 MB copied, manifests equal"))
        #expect(m.state == .applying && t.actions == [.apply])
        t = m.handle(.applied)
        #expect(m.state == .checkingHealth && t.actions == [.checkHealth])
        t = m.handle(.healthy(["app is healthy"]))
        #expect(m.state == .committing && t.actions == [.commit] && !m.committed)
        t = m.handle(.committed)
        #expect(m.state == .repointing && t.actions == [.repoint] && m.committed)
        t = m.handle(.repointed(["Caddy routes notes.home.arpa to 198.18.0.12:8080"]))
        #expect(m.state == .moved && m.outcome == .succeeded && m.subjectState == "running" && t.actions.isEmpty && m.failure == nil)
        #expect(t.steps.last?.message == "Moved app to pi4; the stopped stack on nas is kept with its volumes (homelab apps migrate --finish notes removes it)")
    }

    @Test("--warm copies live before the stop, then the final copy; with --remove-source the source goes after the repoint")
    func warmAndRemove() {
        var m = Self.machine(warm: true, removeSource: true)
        _ = m.start()
        _ = m.handle(Self.checked)
        var t = m.handle(.pulled("pulled"))
        #expect(m.state == .warming && t.actions == [.copy(final: false)] && !m.sourceStopped)
        t = m.handle(.copied(final: true, "a final copy's report before the stop"))
        #expect(m.state == .warming && t.actions.isEmpty, "only the warm copy's report moves it on")
        t = m.handle(.copied(final: false, "warm"))
        #expect(m.state == .stopping && t.actions == [.stopSource])
        t = m.handle(.stopped)
        #expect(t.steps.map(\.message) == ["Copying what changed since the warm copy"])
        for event: M.Event in [.copied(final: true, "c"), .applied, .healthy([]), .committed] { _ = m.handle(event) }
        t = m.handle(.repointed([]))
        #expect(m.state == .removingSource && t.actions == [.removeSource])
        t = m.handle(.undone(problem: nil))
        #expect(m.state == .moved && m.outcome == .succeeded)
        #expect(t.steps.map(\.message) == ["Moved app to pi4; removed the source on nas with its volumes"])
    }

    @Test("a component without volumes skips the copies, warm or not")
    func noVolumes() {
        var m = Self.machine(warm: true)
        _ = m.start()
        _ = m.handle(.checked(volumes: [], []))
        var t = m.handle(.pulled("pulled"))
        #expect(m.state == .stopping && t.actions == [.stopSource])
        t = m.handle(.stopped)
        #expect(m.state == .applying && t.actions == [.apply])
    }

    @Test("a failure at preflight or while pulling ends rolled back at once: nothing was made, nothing was stopped",
          arguments: [M.State.checking, .pulling])
    func earlyFailure(state: M.State) {
        var m = Self.at(state)
        let t = m.handle(.failed(HomelabError(.insufficientStorage, "pi4 has 100 MB free")))
        #expect(m.state == .rolledBack && m.outcome == .rolledBack && t.actions.isEmpty && m.subjectState == "running")
        #expect(m.failure?.code == .insufficientStorage && m.failure?.context?["deployment"] == "notes")
        #expect(t.steps.map(\.message) == ["Failed: pi4 has 100 MB free; rolling back",
                                           "Rolled back: app runs on nas with its data; pi4 keeps nothing of it"])
    }

    @Test("a failure during the warm copy removes the destination's copies and does not touch the running source")
    func warmFailure() {
        var m = Self.machine(warm: true)
        _ = m.start()
        _ = m.handle(Self.checked)
        _ = m.handle(.pulled("pulled"))
        var t = m.handle(.failed(Self.failure))
        #expect(m.state == .removingDestination && t.actions == [.removeDestination] && m.subjectState == "rolling-back")
        t = m.handle(.undone(problem: nil))
        #expect(m.state == .rolledBack && t.actions.isEmpty, "the source was never stopped")
    }

    @Test("a failure from the stop to the commit removes the destination's stack and volumes, then starts the source again",
          arguments: [M.State.stopping, .copying, .applying, .checkingHealth, .committing])
    func lateFailure(state: M.State) {
        var m = Self.at(state)
        var t = m.handle(.failed(Self.failure))
        #expect(m.state == .removingDestination && t.actions == [.removeDestination] && m.outcome == nil)
        #expect(t.steps.map(\.message) == ["Failed: \(Self.failure.message); rolling back", "Removing app and the migration's volumes from pi4"])
        t = m.handle(.undone(problem: nil))
        #expect(m.state == .restartingSource && t.actions == [.restartSource])
        t = m.handle(.undone(problem: nil))
        #expect(m.state == .rolledBack && m.outcome == .rolledBack && m.failure?.code == .manifestMismatch && m.subjectState == "running")
    }

    @Test("what the rollback cannot undo ends the job failed, saying what is left, the cause's code kept; the source is still started")
    func incompleteRollback() {
        var m = Self.at(.checkingHealth)
        _ = m.handle(.failed(HomelabError(.deviceDisconnected, "pi4 disconnected")))
        var t = m.handle(.undone(problem: "app on pi4: pi4 is offline"))
        #expect(m.state == .restartingSource && t.actions == [.restartSource], "the source is started even when the destination kept something")
        t = m.handle(.failed(HomelabError(.deviceOffline, "nas is offline")))
        #expect(m.state == .failed && m.outcome == .failed && m.subjectState == "failed")
        #expect(m.failure?.code == .rollbackIncomplete && m.failure?.context?["cause"] == "device_disconnected")
        #expect(t.steps.map(\.message) == ["Could not roll back: app on pi4: pi4 is offline; nas is offline"])
        var n = Self.at(.copying)
        _ = n.handle(.failed(Self.failure))
        t = n.handle(.failed(HomelabError(.deviceOffline, "pi4 is offline")))
        #expect(n.state == .restartingSource && t.actions == [.restartSource])
    }

    @Test("after the commit point a failure never rolls back: repointing is tried again, then the job ends migration_incomplete, running")
    func afterCommit() {
        var m = Self.at(.repointing)
        for attempt in 1..<M.repointTries {
            let t = m.handle(.failed(HomelabError(.proxyError, "Caddy refused")))
            #expect(m.state == .repointing && t.actions == [.repoint], "attempt \(attempt)")
        }
        let t = m.handle(.failed(HomelabError(.proxyError, "Caddy refused")))
        #expect(m.state == .failed && t.actions.isEmpty && m.failure?.code == .migrationIncomplete && m.failure?.context?["cause"] == "proxy_error")
        #expect(m.subjectState == "running" && m.committed, "it runs at the destination")
    }

    @Test("a source that cannot be removed ends the job migration_incomplete, pointing at --finish")
    func removeSourceFails() {
        var m = Self.at(.repointing, removeSource: true)
        _ = m.handle(.repointed([]))
        _ = m.handle(.undone(problem: "app on nas: nas is offline"))
        #expect(m.state == .failed && m.failure?.code == .migrationIncomplete && m.subjectState == "running")
        #expect(m.failure?.message.contains("homelab apps migrate --finish notes") == true)
        var n = Self.at(.repointing, removeSource: true)
        _ = n.handle(.repointed([]))
        _ = n.handle(.failed(HomelabError(.deviceOffline, "nas is offline")))
        #expect(n.state == .failed && n.failure?.code == .migrationIncomplete)
    }

    @Test("--finish only removes the kept source")
    func finishOnly() {
        var m = Self.machine()
        m.finishOnly = true
        var t = m.start()
        #expect(m.state == .removingSource && t.actions == [.removeSource])
        t = m.handle(.undone(problem: nil))
        #expect(m.state == .moved && t.steps.map(\.message) == ["Removed the stopped source of app on nas with its volumes"])
    }

    @Test("events that do not belong to the state change nothing")
    func strayEvents() {
        let before = Self.at(.copying)
        for event: M.Event in [Self.checked, .pulled("x"), .copied(final: false, "x"), .stopped, .applied, .healthy([]), .committed,
                               .repointed([]), .undone(problem: nil)] {
            var m = before
            let t = m.handle(event)
            #expect(t.actions.isEmpty && t.steps.isEmpty && m.state == .copying, "\(event)")
        }
    }

    @Test("after a restart every state redoes its own work", arguments: reachable.map(\.0))
    func resume(state: M.State) {
        var m = Self.at(state)
        let work = m.work
        let t = m.resume()
        #expect(t.actions == work && !work.isEmpty && m.state == state)
        #expect(t.steps.map(\.message) == ["Resumed after the controller restarted"])
    }

    @Test("the rollback's and the cleanup's states resume their own work; an ended job does nothing")
    func resumeRollback() {
        var m = Self.at(.applying)
        _ = m.handle(.failed(Self.failure))
        #expect(m.resume().actions == [.removeDestination])
        _ = m.handle(.undone(problem: nil))
        #expect(m.resume().actions == [.restartSource])
        _ = m.handle(.undone(problem: nil))
        #expect(m.resume().actions.isEmpty && m.outcome == .rolledBack)
        for event: M.Event in [.failed(Self.failure), .stopped, .undone(problem: nil)] {
            #expect(m.handle(event).actions.isEmpty && m.outcome == .rolledBack)
        }
        var n = Self.at(.repointing, removeSource: true)
        _ = n.handle(.repointed([]))
        #expect(n.resume().actions == [.removeSource])
    }

    @Test("the machine survives a round trip through its stored JSON in every state")
    func codable() throws {
        var m = Self.machine(warm: true, removeSource: true)
        _ = m.start()
        for event: M.Event in [Self.checked, .pulled("p"), .copied(final: false, "w"), .stopped, .failed(Self.failure), .undone(problem: "x")] {
            _ = m.handle(event)
            let decoded = try WireCoding.decoder.decode(M.self, from: WireCoding.encoder.encode(m))
            #expect(decoded.state == m.state && decoded.volumes == m.volumes && decoded.sourceStopped == m.sourceStopped)
            #expect(decoded.left == m.left && decoded.failure == m.failure && decoded.warm && decoded.removeSource)
        }
    }

    static func randomEvent(_ random: inout SplitMix64) -> M.Event {
        switch Int.random(in: 0..<11, using: &random) {
        case 0: return Self.checked
        case 1: return .pulled("p")
        case 2: return .copied(final: Bool.random(using: &random), "c")
        case 3: return .stopped
        case 4: return .applied
        case 5: return .healthy(["ok"])
        case 6: return .committed
        case 7: return .repointed([])
        case 8: return .undone(problem: Bool.random(using: &random) ? "left" : nil)
        default: return .failed(Self.failure)
        }
    }

    @Test("property: over 3,000 random event sequences the invariants hold, and none rolls back after the commit point")
    func invariants() {
        var committed: [Int: Bool] = [:]
        MachineProperty.check(seed: 0x18_18, events: 1...40, make: { Self.machine(warm: Bool.random(using: &$0), removeSource: Bool.random(using: &$0)) },
                              event: Self.randomEvent, work: \.work, isFailure: { _, event in if case .failed = event { true } else { false } }, each: { m, failed, run in
            committed[run] = committed[run, default: false] || m.committed
            switch m.state {
            case .removingDestination, .restartingSource, .rolledBack:
                #expect(failed && m.failure != nil, "run \(run): a rollback without a failure before it")
                #expect(committed[run] != true, "run \(run): rolled back after the commit point")
            case .failed:
                #expect(failed || m.failure?.code == .migrationIncomplete, "run \(run): failed without a failure")
            default: break
            }
            if m.state == .restartingSource { #expect(m.sourceStopped, "run \(run): started a source that was never stopped") }
        })
    }
}
