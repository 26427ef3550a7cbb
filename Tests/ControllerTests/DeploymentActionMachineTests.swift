@testable import Controller
import Foundation
import Protocol
import Testing

/// Start/stop/restart and removal as values: order, final states, failures.
@Suite("deployment action and removal machines")
struct DeploymentActionMachineTests {
    static let db = DeployMachine.Component(name: "db", device: "nas", project: "app-db")
    static let web = DeployMachine.Component(name: "web", device: "pi4", project: "app-web")

    @Test("stop acts on consumers first and leaves the whole deployment stopped; start acts on providers first and leaves it running")
    func order() {
        var stop = DeploymentActionMachine(subject: "id", name: "app", verb: .stop, components: [Self.db, Self.web], component: nil, before: .running)
        #expect(stop.start().actions == [.act(component: "web")])
        #expect(stop.handle(.acted(component: "web")).actions == [.act(component: "db")])
        let done = stop.handle(.acted(component: "db"))
        #expect(stop.outcome == .succeeded && stop.subjectState == "stopped" && done.steps.map(\.message) == ["Stopped"])

        var start = DeploymentActionMachine(subject: "id", name: "app", verb: .start, components: [Self.db, Self.web], component: nil, before: .stopped)
        #expect(start.start().actions == [.act(component: "db")])
        _ = start.handle(.acted(component: "db"))
        _ = start.handle(.acted(component: "web"))
        #expect(start.outcome == .succeeded && start.subjectState == "running")
    }

    @Test("stopping one component leaves the deployment's state as it was")
    func oneComponent() {
        var stop = DeploymentActionMachine(subject: "id", name: "app", verb: .stop, components: [Self.web], component: "web", before: .running)
        _ = stop.start()
        let done = stop.handle(.acted(component: "web"))
        #expect(stop.subjectState == "running" && done.steps == [JobNote("Stopped web", component: "web")])
    }

    @Test("a failure ends the action failed, names the target, keeps its code and leaves the state as it was")
    func failure() {
        var restart = DeploymentActionMachine(subject: "id", name: "app", verb: .restart, components: [Self.db, Self.web], component: nil, before: .running)
        _ = restart.start()
        _ = restart.handle(.acted(component: "db"))
        let t = restart.handle(.failed(HomelabError(.deviceOffline, "pi4 is offline")))
        #expect(restart.outcome == .failed && restart.subjectState == "running" && t.actions.isEmpty)
        #expect(t.steps.map(\.message) == ["Could not restart web on pi4: pi4 is offline"])
        #expect(restart.failure?.code == .deviceOffline && restart.failure?.context?["deployment"] == "app")
        #expect(restart.handle(.acted(component: "web")).actions.isEmpty, "an ended job takes no more events")
    }

    @Test("a removal removes consumers first, then the route, then the record; resume redoes the current step")
    func removal() {
        var m = DeploymentRemovalMachine(subject: "id", name: "app", components: [Self.db, Self.web], deleteData: true)
        let start = m.start()
        #expect(start.actions == [.remove(component: "web")] && start.steps.map(\.message) == ["Removing with its data"])
        #expect(m.subjectState == "removing")
        var t = m.handle(.removed(component: "web", problem: nil))
        #expect(t.actions == [.remove(component: "db")] && t.steps.map(\.message) == ["web: removed from pi4 with its volumes"])
        t = m.handle(.removed(component: "db", problem: nil))
        #expect(t.actions == [.unroute])
        var resumed = m
        #expect(resumed.resume().actions == [.unroute])
        t = m.handle(.unrouted)
        #expect(t.actions == [.delete])
        t = m.handle(.deleted)
        #expect(m.outcome == .succeeded && t.steps.map(\.message) == ["Removed with its data"])
    }

    @Test("a component that cannot be removed leaves the deployment failed, to remove again, and nothing else is touched")
    func removalFails() {
        var m = DeploymentRemovalMachine(subject: "id", name: "app", components: [Self.db, Self.web], deleteData: false)
        _ = m.start()
        _ = m.handle(.removed(component: "web", problem: "web on pi4: pi4 is offline"))
        let t = m.handle(.removed(component: "db", problem: nil))
        #expect(m.outcome == .failed && m.subjectState == "failed" && t.actions.isEmpty)
        #expect(m.failure?.code == .conflict && m.failure?.message == "could not remove web on pi4: pi4 is offline; run the removal again")
    }
}
