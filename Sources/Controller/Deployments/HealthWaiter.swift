import Foundation
import Protocol
import Recipes

/// Waits until every service of a component is healthy: the Docker healthcheck where the image has one;
/// else the recipe's hint (HTTP path or TCP port), probed by the agent from the device; else running for a
/// few seconds without a restart. An exited or unhealthy container fails at once; the rest is bounded.
struct HealthWaiter {
    let parts: DeploymentParts
    /// The job runner's clock: every wait goes through it.
    let clock: any Clock<Duration>
    /// How long a service without a health check must stay running.
    static let settle: Duration = .seconds(3)

    /// One line per service saying how it was found healthy; throws what is wrong when the time is up.
    func wait(_ component: DeploymentComponent, stack: StackSpec, hints: [HealthHint], timeout: Duration) async throws -> [String] {
        let deadline = JobDeadline(existential: clock, after: timeout)
        // Services others wait for to complete (one-shot jobs) are allowed to have exited.
        let oneShots = stack.oneShotServices
        var runningSince: [String: JobDeadline] = [:]
        var healthy: [String: String] = [:]
        var lastLook = false
        while true {
            try await parts.waitOnline(component.device, clock: clock)
            var pending: [String] = []
            let containers: [StackStatus.Container]
            do {
                let stacks = try await parts.registry.ask(component.device, StackList())
                containers = stacks.first { $0.project == component.project }?.containers ?? []
            } catch let error as HomelabError where error.isDeviceUnreachable {
                continue
            }
            for name in stack.services.keys.sorted() where healthy[name] == nil && !oneShots.contains(name) {
                guard let container = containers.first(where: { $0.service == name }) else {
                    pending.append("\(name) has no container")
                    continue
                }
                switch (container.state, container.health) {
                case (.running, .healthy):
                    healthy[name] = "\(name) is healthy (its health check passes)"
                case (.running, .unhealthy):
                    throw HomelabError(.unhealthy, "\(component.name): \(name) is unhealthy (its health check fails)",
                                       context: ["component": component.name, "device": component.device])
                case (.running, .starting):
                    pending.append("\(name)'s health check has not passed yet")
                case (.running, _):
                    if let hint = hints.first(where: { $0.service == name }) {
                        let probe: StackProbe = switch hint.probe {
                        case .http(let port, let path): StackProbe(project: component.project, service: name, port: port, path: path)
                        case .tcp(let port): StackProbe(project: component.project, service: name, port: port)
                        }
                        let result = try await parts.registry.ask(component.device, probe)
                        if result.healthy { healthy[name] = "\(name) is healthy (\(result.detail))" } else { pending.append("\(name): \(result.detail)") }
                    } else {
                        let settled = runningSince[name] ?? JobDeadline(existential: clock, after: Self.settle)
                        runningSince[name] = settled
                        if settled.hasPassed {
                            healthy[name] = "\(name) is running (no health check)"
                        } else {
                            pending.append("\(name) has just started")
                        }
                    }
                case (.exited, _), (.dead, _):
                    throw HomelabError(.unhealthy, "\(component.name): \(name) \(container.state) (docker logs \(container.name))",
                                       context: ["component": component.name, "device": component.device])
                default:
                    runningSince[name] = nil
                    pending.append("\(name) is \(container.state)")
                }
            }
            if pending.isEmpty { return stack.services.keys.sorted().compactMap { healthy[$0] } }
            if deadline.hasPassed {
                // One more look first: a container that exited meanwhile (a slow device) is reported as exited, not as slow.
                if !lastLook {
                    lastLook = true
                    try await clock.sleep(for: .milliseconds(500), tolerance: nil)
                    continue
                }
                throw HomelabError(.healthTimeout, "\(component.name) not healthy after \(timeout.components.seconds) s: \(pending.joined(separator: "; "))",
                                   context: ["component": component.name, "device": component.device])
            }
            try await clock.sleep(for: .seconds(1), tolerance: nil)
        }
    }
}
