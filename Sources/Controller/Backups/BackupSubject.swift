import Foundation
import Protocol
import Recipes

/// What one backup of one component of a deployment covers: where it runs, its project and named
/// volumes, the order its services start in, and its recipe's backup plan.
struct BackupSubject: Sendable {
    var app: String
    var component: String
    /// The device's id and name.
    var deviceID: String
    var deviceName: String
    var project: String
    var volumes: [String]
    var startOrder: [String]
    var plan: BackupPlan
    /// Whether the recipe has more than one component (snapshots then carry `component=`).
    var multiComponent: Bool

    /// The subject of `component` (the only one when nil) of the deployment.
    static func of(_ resource: DeploymentResource, _ secret: DeploymentPrivate, component: String?, registry: DeviceRegistry) async throws -> BackupSubject {
        let components = resource.components
        guard let chosen = component.map({ name in components.first { $0.name == name } }) ?? (components.count == 1 ? components.first : nil) else {
            throw HomelabError.badRequest(component.map { "\(resource.name) has no component \($0) (it has: \(components.map(\.name).joined(separator: ", ")))" }
                ?? "\(resource.name) has \(components.count) components (\(components.map(\.name).joined(separator: ", "))): name one")
        }
        guard let stack = secret.stacks[chosen.name] else { throw HomelabError.internal("deployment \(resource.name) has no stack for \(chosen.name)") }
        let recipe = try RecipeLoader.parse(secret.recipeText, file: secret.recipeFile)
        let device = try await registry.get(chosen.device)
        return BackupSubject(app: resource.name, component: chosen.name, deviceID: device.id, deviceName: device.name, project: stack.name,
                             volumes: (stack.volumes ?? [:]).keys.sorted(), startOrder: stack.startOrder() ?? stack.services.keys.sorted(),
                             plan: recipe.component(chosen.name)?.backup ?? BackupPlan(), multiComponent: components.count > 1)
    }
}
