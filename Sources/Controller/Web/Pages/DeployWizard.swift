import Foundation
import HTTPTypes
import Hummingbird
import Protocol
import Recipes
import Scheduler

/// `/deploy/{id}`: the deploy wizard. A form built from the recipe's inputs, checked as the API checks them with
/// each error beside its field; the ranked devices per component with the best one preselected; then the
/// deployment's page, which follows the progress live.
enum DeployWizard {
    struct View: Sendable {
        var chrome: Chrome
        var recipe: String
        var recipeName: String
        var action: String
        var name: String
        var fields: [Field]
        var components: [CatalogPages.Component]
        var canExpose: Bool
        var expose: Bool
        var error: String?
        var errorCode: String?
        var unplaced: [String]
    }

    /// One input of the form, with what was typed and what is wrong with it.
    struct Field: Sendable {
        var id: String
        var name: String
        var label: String
        var hint: String?
        var required: Bool
        var type: String
        var isSelect: Bool
        var isCheckbox: Bool
        var checked: Bool
        var options: [OptionView]
        var value: String
        var min: String?
        var max: String?
        var placeholder: String?
        /// `new-password` for secrets (never filled from a saved login), `off` for text; none for numbers.
        var autocomplete: String?
        var error: String?
    }

    static func add(_ on: (HTTPRequest.Method, String, @escaping WebRoutes.Handler) -> Void, web: WebContext) {
        on(.get, "/deploy/{id}") { _, context, session in
            let recipe = try recipe(web, context)
            return web.page(try await view(web, recipe, session: session, given: [:], name: recipe.id, placement: [:], expose: false, problems: [:]), "deploy")
        }
        on(.post, "/deploy/{id}") { request, context, session in
            var request = request
            let recipe = try recipe(web, context)
            let form = FormBody(buffer: try await request.collectBody(upTo: 1 << 20))
            let name = form.trimmed("name") ?? recipe.id
            var given: [String: String] = [:]
            for input in recipe.inputs {
                let value = input.type == .boolean ? (form["input.\(input.name)"] == "on" ? "true" : "false") : form["input.\(input.name)"] ?? ""
                if !value.isEmpty { given[input.name] = value }
            }
            // A component left on the device the wizard preselected stays the scheduler's choice (and keeps its reason);
            // one the user moved is named.
            let placement = recipe.components.reduce(into: [String: String]()) { out, component in
                if let device = form.trimmed("place.\(component.name)"), device != form.trimmed("planned.\(component.name)") { out[component.name] = device }
            }
            let expose = form["expose"] == "on"
            var problems: [String: String] = [:]
            do throws(RecipeProblems) {
                _ = try RecipeRenderer.resolveInputs(recipe, given: given)
            } catch {
                for problem in error.problems {
                    problems[problem.field] = given[problem.field] == nil && recipe.inputs.contains { $0.name == problem.field && $0.required }
                        ? "Required." : problem.message
                }
            }
            guard problems.isEmpty else {
                return web.page(try await view(web, recipe, session: session, given: given, name: name, placement: placement, expose: expose, problems: problems),
                                "deploy", status: .unprocessableContent)
            }
            do {
                let accepted = try await web.controller.deployments.deploy(DeployRequest(
                    recipe: recipe.id, name: name, placement: placement.isEmpty ? nil : .devices(placement),
                    inputs: given, expose: expose ? true : nil))
                return WebPage.redirect(to: "/apps/\(WebPage.percentEncoded(accepted.deployment.name))")
            } catch let error as HomelabError {
                var page = try await view(web, recipe, session: session, given: given, name: name, placement: placement, expose: expose, problems: [:])
                page.error = error.message
                page.errorCode = error.code.rawValue
                return web.page(page, "deploy", status: .init(code: error.httpStatus))
            }
        }
    }

    static func recipe(_ web: WebContext, _ context: APIRequestContext) throws -> Recipe {
        let id = try context.parameters.require("id")
        guard let (recipe, _) = web.controller.catalog.recipe(id) else { throw HomelabError.notFound("There is no recipe \(id) in the catalog.") }
        return recipe
    }

    static func view(_ web: WebContext, _ recipe: Recipe, session: WebSession, given: [String: String], name: String,
                     placement: [String: String], expose: Bool, problems: [String: String]) async throws -> View {
        let plan = try await CatalogPages.plan(web, recipe)
        let detail = RecipeDetail(recipe, catalog: "")
        return View(chrome: Chrome(title: "Deploy \(recipe.name)", section: "/catalog", session: session), recipe: recipe.id, recipeName: recipe.name,
                    action: "/deploy/\(WebPage.percentEncoded(recipe.id))", name: name,
                    fields: recipe.inputs.map { field($0, value: given[$0.name], error: problems[$0.name]) },
                    components: CatalogPages.components(detail, plan, chosen: placement),
                    canExpose: recipe.web != nil && web.controller.deployments.settings.proxy.kind != ProxySettings.Kind.none, expose: expose,
                    error: problems.isEmpty ? nil : "Some inputs need another look: see the messages beside them.",
                    errorCode: problems.isEmpty ? nil : "invalid_inputs", unplaced: plan.unplaced)
    }

    static func field(_ input: RecipeInput, value: String?, error: String?) -> Field {
        let type: String = switch input.type {
        case .password: "password"
        case .email: "email"
        case .number, .port: "number"
        case .url: "url"
        default: "text"
        }
        let current = value ?? (input.type == .random ? "" : input.defaultValue ?? "")
        return Field(id: "input-\(input.name)", name: "input.\(input.name)", label: input.label ?? input.name, hint: input.hint, required: input.required,
                     type: type, isSelect: input.type == .select, isCheckbox: input.type == .boolean, checked: current == "true",
                     options: (input.options ?? []).map { OptionView(value: $0, label: $0, selected: $0 == current) }, value: current,
                     min: input.type == .port ? "1" : input.min.map(String.init), max: input.type == .port ? "65535" : input.max.map(String.init),
                     placeholder: input.type == .random ? "generated when left empty" : nil,
                     autocomplete: input.type == .password ? "new-password" : type == "number" ? nil : "off", error: error)
    }
}
