import Foundation
import HTTPTypes
import Hummingbird
import Protocol
import Recipes
import Scheduler

/// `/catalog` and `/catalog/{id}`: search with category and architecture filters and "fits" badges; a recipe's
/// description, inputs, requirements, components and where the scheduler would put each.
enum CatalogPages {
    struct ListView: Sendable {
        var chrome: Chrome
        var q: String
        var categories: [OptionView]
        var architectures: [OptionView]
        var fitsOnly: Bool
        var live: Results
    }


    struct Results: Sendable {
        var recipes: [Card]
        var count: Int
        var none: Bool
    }

    /// A recipe in the catalog's grid.
    struct Card: Sendable {
        var href: String
        var name: String
        var tagline: String
        var category: String
        var architectures: String
        var initials: String
        /// The online devices it fits on now.
        var fits: String?
        var fitsNowhere: Bool
    }

    struct RecipeView: Sendable {
        var chrome: Chrome
        var card: Card
        var description: String?
        var homepage: String?
        var version: String
        var inputs: [Input]
        var components: [Component]
        var deployHref: String
        var unplaced: [String]
    }

    struct Input: Sendable {
        var name: String
        var label: String
        var type: String
        var required: Bool
        var defaultValue: String?
        var hint: String?
    }

    struct Component: Sendable {
        var name: String
        /// The device the scheduler chose for it.
        var planned: String?
        var requirements: String
        var prefers: String?
        var images: String
        var ranking: [Ranked]
    }

    /// One device's verdict for a component.
    struct Ranked: Sendable {
        var device: String
        var tier: String
        var tierText: String
        var score: String
        var reason: String
        var chosen: Bool
        var eligible: Bool
        var value: String
    }

    static func add(_ on: (HTTPRequest.Method, String, @escaping WebRoutes.Handler) -> Void, web: WebContext) {
        on(.get, "/catalog") { request, _, session in
            let query = FormBody(text: request.uri.query ?? "")
            return try await web.page(request, fragments: ["results": { (try await results(web, query), "catalog-results") }]) {
                (ListView(chrome: Chrome(title: "Catalog", section: "/catalog", session: session), q: query["q"] ?? "",
                          categories: [OptionView(value: "", label: "Every category", selected: query.trimmed("category") == nil)]
                            + RecipeCategory.allCases.map { OptionView(value: $0.rawValue, label: $0.rawValue.replacingOccurrences(of: "-", with: " ").capitalized,
                                                                   selected: query["category"] == $0.rawValue) },
                          architectures: [OptionView(value: "", label: "Every architecture", selected: query.trimmed("arch") == nil)]
                            + RecipeArchitecture.allCases.map { OptionView(value: $0.rawValue, label: $0.rawValue, selected: query["arch"] == $0.rawValue) },
                          fitsOnly: query["fits"] == "on", live: try await results(web, query)), "catalog")
            }
        }
        on(.get, "/catalog/{id}") { _, context, session in
            let id = try context.parameters.require("id")
            guard let (recipe, source) = web.controller.catalog.recipe(id) else { throw HomelabError.notFound("There is no recipe \(id) in the catalog.") }
            let plan = try await plan(web, recipe)
            let detail = RecipeDetail(recipe, catalog: source)
            return web.page(RecipeView(
                chrome: Chrome(title: recipe.name, section: "/catalog", session: session),
                card: card(detail.summary, fits: try await fits(web, recipe)), description: detail.description, homepage: detail.homepage,
                version: detail.summary.version,
                inputs: detail.inputs.map { Input(name: $0.name, label: $0.label ?? $0.name, type: $0.type.rawValue, required: $0.required,
                                                 defaultValue: $0.type == .password ? nil : $0.defaultValue, hint: $0.hint) },
                components: components(detail, plan), deployHref: "/deploy/\(WebPage.percentEncoded(recipe.id))", unplaced: plan.unplaced), "recipe")
        }
        DeployWizard.add(on, web: web)
    }

    static func results(_ web: WebContext, _ query: FormBody) async throws -> Results {
        let filter = try RecipeFilter(text: query["q"], category: query.trimmed("category"), architecture: query.trimmed("arch"), device: nil)
        let devices = try await web.controller.registry.list().filter { $0.status == .online }
        var cards: [Card] = []
        for entry in web.controller.catalog.recipes where filter.matches(entry.recipe) {
            let fitting = devices.filter { RecipeFilter.fits(entry.recipe, on: $0) }.map(\.name)
            if query["fits"] == "on" && fitting.isEmpty { continue }
            cards.append(card(RecipeSummary(entry.recipe, catalog: entry.catalog), fits: fitting))
        }
        return Results(recipes: cards, count: cards.count, none: cards.isEmpty)
    }

    static func card(_ summary: RecipeSummary, fits: [String]) -> Card {
        Card(href: "/catalog/\(WebPage.percentEncoded(summary.id))", name: summary.name, tagline: summary.tagline,
             category: summary.category.rawValue, architectures: summary.architectures.map(\.rawValue).joined(separator: ", "),
             initials: String(summary.name.prefix(2)).uppercased(),
             fits: fits.isEmpty ? nil : "Fits \(fits.prefix(3).joined(separator: ", "))\(fits.count > 3 ? " and \(fits.count - 3) more" : "")",
             fitsNowhere: fits.isEmpty)
    }

    static func fits(_ web: WebContext, _ recipe: Recipe) async throws -> [String] {
        try await web.controller.registry.list().filter { $0.status == .online && RecipeFilter.fits(recipe, on: $0) }.map(\.name)
    }

    /// The scheduler's plan for one instance over the live homelab, as `POST /v1/recommendations` answers it.
    static func plan(_ web: WebContext, _ recipe: Recipe) async throws -> Plan {
        web.controller.scheduler.plan(try await web.controller.deployments.snapshot(), RecommendationRequest(recipe: recipe.id).placement(for: recipe))
    }

    static func components(_ detail: RecipeDetail, _ plan: Plan, chosen: [String: String] = [:]) -> [Component] {
        detail.components.map { component in
            let requirement = [component.requirements.memoryBytes.map { "\(Format.bytes($0)) RAM" },
                               component.requirements.storageBytes.map { "\(Format.bytes($0)) storage" },
                               component.requirements.alwaysOn ? "always on" : nil, component.requirements.gpu ? "a GPU" : nil].compactMap { $0 }
            let placed = chosen[component.name] ?? plan.placements.first?.devices[component.name]
            let ranking = plan.rankings.first { $0.component == component.name }?.devices ?? []
            return Component(name: component.name, planned: plan.placements.first?.devices[component.name], requirements: requirement.isEmpty ? "nothing in particular" : requirement.joined(separator: ", "),
                             prefers: component.prefer.isEmpty ? nil : component.prefer.map(\.rawValue).joined(separator: ", "),
                             images: component.images.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", "),
                             ranking: ranking.map { assessment in
                                 Ranked(device: assessment.device, tier: assessment.eligible ? assessment.tier.rawValue : "not-recommended",
                                        tierText: assessment.eligible ? assessment.tier.words : "Cannot run it", score: String(Int(assessment.score.rounded())),
                                        reason: assessment.reason, chosen: assessment.device == placed, eligible: assessment.eligible, value: assessment.device)
                             })
        }
    }
}
