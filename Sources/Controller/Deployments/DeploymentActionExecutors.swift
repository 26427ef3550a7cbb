import Foundation
import GRDB
import Protocol

/// Carries out a ``DeploymentActionMachine``'s actions: one `stack.action` per target.
struct DeploymentActionExecutor: JobExecutor {
    typealias Machine = DeploymentActionMachine
    let parts: DeploymentParts

    func perform(_ action: DeploymentActionMachine.Action, in job: JobContext<DeploymentActionMachine>) async throws -> [DeploymentActionMachine.Event] {
        switch action {
        case .act(let name):
            guard let target = job.machine.targets.first(where: { $0.name == name }) else {
                throw HomelabError.internal("the action has no target \(name)")
            }
            try await parts.waitOnline(target.device, clock: job.clock)
            _ = try await parts.registry.ask(target.device, StackAction(stack: StackRef(project: target.project), verb: job.machine.verb),
                                             timeout: .seconds(300))
            return [.acted(component: name)]
        }
    }

    func stored(_ steps: [JobStepRecord], of job: JobRecord, machine: DeploymentActionMachine) async {
        parts.publish(steps, name: machine.name)
        guard job.outcome == .succeeded, let said = steps.last?.message else { return }
        await parts.activity("deployment.\(machine.verb.rawValue)", "\(said.split(separator: " ").first ?? "") \(machine.name)"
                             + (machine.component.map { " (\($0))" } ?? ""))
    }
}

/// Carries out a ``DeploymentRemovalMachine``'s actions: the stacks, the route, the record.
struct DeploymentRemovalExecutor: JobExecutor {
    typealias Machine = DeploymentRemovalMachine
    let parts: DeploymentParts

    func perform(_ action: DeploymentRemovalMachine.Action, in job: JobContext<DeploymentRemovalMachine>) async throws -> [DeploymentRemovalMachine.Event] {
        let machine = job.machine
        switch action {
        case .remove(let name):
            guard let target = machine.components.first(where: { $0.name == name }) else {
                throw HomelabError.internal("the removal has no component \(name)")
            }
            let component = DeploymentComponent(name: target.name, device: target.device, address: nil, project: target.project, port: nil, reason: "")
            return [.removed(component: name, problem: await parts.removeStack(component, volumes: machine.deleteData, clock: job.clock))]
        case .unroute:
            try? await parts.caddy?.remove(machine.name)
            return [.unrouted]
        case .delete:
            _ = try await parts.store.write { db in try DeploymentRecord.deleteOne(db, key: machine.subject) }
            return [.deleted]
        }
    }

    func stored(_ steps: [JobStepRecord], of job: JobRecord, machine: DeploymentRemovalMachine) async {
        parts.publish(steps, name: machine.name)
        guard job.outcome == .succeeded else { return }
        var seen = Set<String>()
        let devices = machine.components.reversed().map(\.device).filter { seen.insert($0).inserted }.joined(separator: ",")
        await parts.activity("deployment.removed", "Removed \(machine.name) from \(devices)" + (machine.deleteData ? " with its data" : ""))
    }
}
