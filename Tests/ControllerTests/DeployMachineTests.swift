@testable import Controller
import Foundation
import Protocol
import Testing
import TestSupport

/// The deploy job as a value: every transition from every state, the failure edges, resume, and a property
/// test over random event sequences. No I/O.
@Suite("deploy machine")
struct DeployMachineTests {
    typealias M = DeployMachine
    static let db = M.Component(name: "db", device: "nas", project: "app-db")
    static let web = M.Component(name: "web", device: "pi4", project: "app-web")

    /// A first deploy of db then web, routed by Caddy.
    static func firstDeploy(routes: Bool = true) -> M {
        M(subject: "id-1", name: "app", components: [db, web], previous: nil, previousVersion: nil, healthTimeout: 30, routes: routes,
          url: "http://app.home.arpa/", intro: [JobNote("Deploying app (app 1.1)"), JobNote("db → nas: 7 GB RAM free", component: "db")])
    }

    /// An upgrade: db stays on nas; web moves from laptop to pi4.
    static func upgrade() -> M {
        M(subject: "id-1", name: "app", components: [db, web], previous: [db, M.Component(name: "web", device: "laptop", project: "app-web")],
          previousVersion: "1.0", healthTimeout: 30, routes: false, url: nil, intro: [JobNote("Redeploying app")])
    }

    static let failure = HomelabError(.unhealthy, "web: app exited (docker logs app-web-app-1)")

    /// Drives `machine` through `events`, returning every transition.
    static func run(_ machine: inout M, _ events: [M.Event]) -> [JobTransition<M.Action>] {
        events.map { machine.handle($0) }
    }

    @Test("a first deploy: pending, each component pulled, created, started, then health, the route, running")
    func happyPath() {
        var m = Self.firstDeploy()
        let start = m.start()
        #expect(m.state == .pending && m.deploymentState == .pending && m.outcome == nil)
        #expect(start.actions == [.begin] && start.steps.map(\.message) == ["Deploying app (app 1.1)", "db → nas: 7 GB RAM free"])
        var t = m.handle(.began)
        #expect(m.state == .applying(index: 0, phase: .pulling) && t.actions == [.apply(component: "db")])
        #expect(t.steps.map(\.message) == ["db: pulling images on nas"])
        t = m.handle(.phase(component: "db", .creating, "Creating volume app-db_data"))
        #expect(m.state == .applying(index: 0, phase: .creating) && m.deploymentState == .creating && t.actions.isEmpty)
        t = m.handle(.note(component: "db", "Creating app-db-db-1"))
        #expect(m.state == .applying(index: 0, phase: .creating) && t.steps.map(\.message) == ["db: Creating app-db-db-1"])
        t = m.handle(.phase(component: "db", .starting, "Starting app-db-db-1"))
        #expect(m.deploymentState == .starting)
        t = m.handle(.applied(component: "db"))
        #expect(m.state == .applying(index: 1, phase: .pulling) && t.actions == [.apply(component: "web")])
        t = m.handle(.applied(component: "web"))
        #expect(m.state == .checkingHealth(index: 0) && t.actions == [.checkHealth(component: "db")])
        #expect(t.steps.map(\.message) == ["Waiting for health (at most 30 s)"] && m.deploymentState == .healthChecking)
        t = m.handle(.healthy(component: "db", ["db is healthy (its health check passes)"]))
        #expect(m.state == .checkingHealth(index: 1) && t.actions == [.checkHealth(component: "web")])
        #expect(t.steps == [JobNote("db: db is healthy (its health check passes)", component: "db")])
        t = m.handle(.healthy(component: "web", ["app is running (no health check)"]))
        #expect(m.state == .routing && t.actions == [.route])
        t = m.handle(.routed(host: "app.home.arpa", upstream: "198.18.0.11:8080"))
        #expect(m.state == .running && m.outcome == .succeeded && m.subjectState == "running" && m.failure == nil && t.actions.isEmpty)
        #expect(t.steps.map(\.message) == ["Caddy routes app.home.arpa to 198.18.0.11:8080", "Running at http://app.home.arpa/"])
    }

    @Test("without a route to make, routing says nothing and the deploy ends running; health steps stay health-checking")
    func noRoute() {
        var m = Self.firstDeploy(routes: false)
        _ = m.start()
        _ = Self.run(&m, [.began, .applied(component: "db"), .applied(component: "web"), .healthy(component: "db", [])])
        var t = m.handle(.healthy(component: "web", ["app is running (no health check)"]))
        #expect(m.state == .routing && m.deploymentState == .healthChecking && t.actions == [.route])
        t = m.handle(.routed(host: nil, upstream: nil))
        #expect(m.state == .running && t.actions.isEmpty && t.steps.map(\.message) == ["Running at http://app.home.arpa/"])
    }

    /// Every state of a first deploy before it ends, with the events that reach it.
    static let reachable: [(String, [M.Event])] = [
        ("pending", []),
        ("applying db", [.began]),
        ("applying web", [.began, .applied(component: "db")]),
        ("checking db", [.began, .applied(component: "db"), .applied(component: "web")]),
        ("checking web", [.began, .applied(component: "db"), .applied(component: "web"), .healthy(component: "db", [])]),
        ("routing", [.began, .applied(component: "db"), .applied(component: "web"), .healthy(component: "db", []), .healthy(component: "web", [])]),
    ]

    @Test("a failure in any state of the roll-out starts the rollback: consumers removed first, with their volumes", arguments: reachable.map(\.0))
    func failureStartsRollback(state: String) {
        var m = Self.firstDeploy()
        _ = m.start()
        _ = Self.run(&m, Self.reachable.first { $0.0 == state }!.1)
        let t = m.handle(.failed(Self.failure))
        #expect(m.state == .removing(undo: 0) && m.deploymentState == .rollingBack && m.outcome == nil)
        #expect(t.actions == [.remove(component: "web")], "a first deploy removes its consumer first")
        #expect(t.steps.map(\.message) == ["Failed: web: app exited (docker logs app-web-app-1); rolling back"])
        #expect(m.failure?.code == .unhealthy && m.failure?.context?["deployment"] == "app")
    }

    @Test("a first deploy's rollback removes everything and its route, then ends rolled-back with nothing left")
    func firstDeployRollback() {
        var m = Self.firstDeploy()
        _ = m.start()
        _ = Self.run(&m, [.began, .failed(Self.failure)])
        var t = m.handle(.undone(component: "web", problem: nil))
        #expect(m.state == .removing(undo: 1) && t.actions == [.remove(component: "db")])
        t = m.handle(.undone(component: "db", problem: nil))
        #expect(m.state == .restoringRoute && t.actions == [.restoreRoute])
        t = m.handle(.undone(component: nil, problem: nil))
        #expect(m.state == .rolledBack && m.outcome == .rolledBack && m.subjectState == "rolled-back" && t.actions.isEmpty)
        #expect(t.steps.map(\.message) == ["Rolled back: nothing of it is left on the devices"])
        #expect(m.failure?.code == .unhealthy, "the failure that caused the rollback is kept")
    }

    @Test("what a rollback cannot undo ends the job failed, saying what is left where, with the cause's code kept")
    func incompleteRollback() {
        var m = Self.firstDeploy()
        _ = m.start()
        _ = Self.run(&m, [.began, .applied(component: "db"), .failed(HomelabError(.deviceOffline, "pi4 is offline"))])
        _ = Self.run(&m, [.undone(component: "web", problem: "web on pi4: pi4 is offline"), .undone(component: "db", problem: nil)])
        let t = m.handle(.undone(component: nil, problem: nil))
        #expect(m.state == .failed && m.outcome == .failed && m.subjectState == "failed")
        #expect(t.steps.map(\.message) == ["Could not roll back: web on pi4: pi4 is offline"])
        #expect(m.failure?.code == .rollbackIncomplete && m.failure?.context?["cause"] == "device_offline")
        #expect(m.failure?.message == "pi4 is offline; Could not roll back: web on pi4: pi4 is offline")
    }

    @Test("an upgrade's rollback removes only what moved, puts the previous components back, reverts the record: the previous version runs")
    func upgradeRollback() {
        var m = Self.upgrade()
        #expect(m.undoList == [Self.web], "db stays where it was; web moved and is removed")
        _ = m.start()
        _ = Self.run(&m, [.began, .applied(component: "db")])
        var t = m.handle(.failed(Self.failure))
        #expect(m.state == .removing(undo: 0) && t.actions == [.remove(component: "web")])
        t = m.handle(.undone(component: "web", problem: nil))
        #expect(m.state == .restoring(index: 0) && t.actions == [.restore(component: "db")])
        t = m.handle(.undone(component: "db", problem: nil))
        #expect(m.state == .restoring(index: 1) && t.actions == [.restore(component: "web")])
        t = m.handle(.undone(component: "web", problem: nil))
        #expect(m.state == .restoringRoute && t.actions == [.restoreRoute])
        t = m.handle(.undone(component: nil, problem: nil))
        #expect(m.state == .reverting && t.actions == [.revert])
        t = m.handle(.reverted)
        #expect(m.state == .rolledBack && m.outcome == .rolledBack && t.steps.map(\.message) == ["Rolled back to 1.0"])
        #expect(m.subjectState == "running", "the version that ran before runs again")
    }

    @Test("an upgrade whose previous version cannot be put back is not reverted: it ends failed")
    func upgradeRollbackFails() {
        var m = Self.upgrade()
        _ = m.start()
        _ = Self.run(&m, [.began, .failed(Self.failure), .undone(component: "web", problem: nil),
                          .undone(component: "db", problem: "db on nas: nas is offline"), .undone(component: "web", problem: nil)])
        let t = m.handle(.undone(component: nil, problem: nil))
        #expect(m.state == .failed && t.actions.isEmpty, "a partial rollback never reverts the record")
    }

    @Test("a failure while reverting ends the rollback failed, not in a loop")
    func failureDuringRevert() {
        var m = Self.upgrade()
        _ = m.start()
        _ = Self.run(&m, [.began, .failed(Self.failure), .undone(component: "web", problem: nil), .undone(component: "db", problem: nil),
                          .undone(component: "web", problem: nil), .undone(component: nil, problem: nil)])
        #expect(m.state == .reverting)
        let t = m.handle(.failed(HomelabError.internal("disk I/O error")))
        #expect(m.state == .failed && t.actions.isEmpty && m.failure?.code == .rollbackIncomplete)
    }

    @Test("a device that keeps dropping its link is waited for and sent the apply again, up to 5 times, then the deploy fails")
    func linkLost() {
        var m = Self.firstDeploy()
        _ = m.start()
        _ = m.handle(.began)
        for attempt in 1..<M.applyAttempts {
            let t = m.handle(.linkLost(component: "db"))
            #expect(m.state == .applying(index: 0, phase: .pulling) && t.actions == [.apply(component: "db")], "attempt \(attempt)")
            #expect(t.steps.map(\.message) == ["db: lost nas mid-apply; waiting for it"])
        }
        let t = m.handle(.linkLost(component: "db"))
        #expect(m.state == .removing(undo: 0) && t.actions == [.remove(component: "web")])
        #expect(m.failure?.code == .deviceDisconnected)
        // A successful apply resets the count for the next component.
        var n = Self.firstDeploy()
        _ = n.start()
        _ = Self.run(&n, [.began, .linkLost(component: "db"), .applied(component: "db")])
        #expect(n.attempts == 0)
    }

    @Test("events that do not belong to the state change nothing")
    func strayEvents() {
        var m = Self.firstDeploy()
        _ = m.start()
        _ = m.handle(.began)
        let before = m
        for event: M.Event in [.applied(component: "web"), .healthy(component: "db", []), .routed(host: "h", upstream: "u"), .reverted,
                               .undone(component: "web", problem: nil), .phase(component: "web", .creating, "x"), .began] {
            let t = m.handle(event)
            #expect(t.actions.isEmpty && t.steps.isEmpty && m.state == before.state, "\(event)")
        }
    }

    @Test("after a restart every state redoes its own work; an ended job does nothing", arguments: reachable.map(\.0))
    func resume(state: String) {
        var m = Self.firstDeploy()
        _ = m.start()
        _ = Self.run(&m, Self.reachable.first { $0.0 == state }!.1)
        let work = m.work
        var copy = m
        let t = copy.resume()
        #expect(t.actions == work && !work.isEmpty && copy.state == m.state)
        #expect(t.steps.map(\.message) == ["Resumed after the controller restarted"])
    }

    @Test("an ended job takes no more events")
    func endedIsFinal() {
        var m = Self.firstDeploy(routes: false)
        _ = m.start()
        _ = Self.run(&m, [.began, .applied(component: "db"), .applied(component: "web"), .healthy(component: "db", []), .healthy(component: "web", []),
                          .routed(host: nil, upstream: nil)])
        #expect(m.outcome == .succeeded)
        for event: M.Event in [.failed(Self.failure), .began, .undone(component: nil, problem: nil)] {
            let t = m.handle(event)
            #expect(t.actions.isEmpty && m.outcome == .succeeded)
        }
        #expect(m.resume().actions.isEmpty)
    }

    @Test("the machine survives a round trip through its stored JSON in every state")
    func codable() throws {
        var m = Self.upgrade()
        _ = m.start()
        for event: M.Event in [.began, .failed(Self.failure), .undone(component: "web", problem: "x")] {
            _ = m.handle(event)
            let decoded = try WireCoding.decoder.decode(M.self, from: WireCoding.encoder.encode(m))
            #expect(decoded.state == m.state && decoded.left == m.left && decoded.failure == m.failure)
        }
    }

    /// Random events, drawn from everything the executors and agents can say, including ones out of place.
    static func randomEvent(_ random: inout SplitMix64) -> M.Event {
        let component = ["db", "web", "cache"].randomElement(using: &random)!
        switch Int.random(in: 0..<11, using: &random) {
        case 0: return .began
        case 1: return .phase(component: component, [.pulling, .creating, .starting].randomElement(using: &random)!, "phase")
        case 2: return .note(component: component, "note")
        case 3: return .linkLost(component: component)
        case 4, 5: return .applied(component: component)
        case 6: return .healthy(component: component, ["ok"])
        case 7: return Bool.random(using: &random) ? .routed(host: "h", upstream: "u") : .routed(host: nil, upstream: nil)
        case 8: return .undone(component: Bool.random(using: &random) ? component : nil, problem: Bool.random(using: &random) ? "left" : nil)
        case 9: return .reverted
        default: return .failed(Self.failure)
        }
    }

    @Test("property: over 3,000 random event sequences the invariants hold")
    func invariants() {
        MachineProperty.check(seed: 0x15_15, events: 1...40, make: { random in
            [Self.firstDeploy(), Self.firstDeploy(routes: false), Self.upgrade()].randomElement(using: &random)!
        }, event: Self.randomEvent, work: \.work, isFailure: { _, event in
            if case .failed = event { return true }
            return false
        }, each: { m, failed, run in
            switch m.state {
            case .removing, .restoring, .restoringRoute, .reverting:
                #expect(failed && m.failure != nil, "run \(run): a rollback without a failure before it")
            case .rolledBack, .failed:
                #expect(failed && m.failure != nil, "run \(run): ended rolled back or failed without a failure")
            default: break
            }
        })
    }
}
