import Foundation
import HTTPTypes
import Hummingbird
import Protocol
import Recipes

/// `/v1/recipes…` and `/v1/catalog`: the app catalog, searchable, and rendered previews.
enum RecipeRoutes {
    static func add(to add: StackRoutes.Add, controller: ControllerContext) {
        let catalog = controller.catalog
        add(.get, "/v1/recipes", false) { request, _ in
            let query = request.uri.queryParameters
            let filter = try RecipeFilter(
                text: query["q"].map(String.init), category: query["category"].map(String.init),
                architecture: query["arch"].map(String.init), device: try await query["fits"].asyncMap { try await controller.registry.get(String($0)) })
            let items = catalog.recipes.filter { filter.matches($0.recipe) }.map { RecipeSummary($0.recipe, catalog: $0.catalog) }
            return try JSONResponse.make(ListResponse(items: items))
        }
        add(.get, "/v1/recipes/{id}", false) { _, context in
            let id = try context.parameters.require("id")
            guard let (recipe, source) = catalog.recipe(id) else { throw HomelabError.notFound("no recipe \(id) in the catalog") }
            return try JSONResponse.make(RecipeDetail(recipe, catalog: source))
        }
        add(.post, "/v1/recipes/{id}/render", false) { request, context in
            let id = try context.parameters.require("id")
            guard let (recipe, _) = catalog.recipe(id) else { throw HomelabError.notFound("no recipe \(id) in the catalog") }
            let body = try await request.decode(as: RenderRequest.self, context: context)
            let preview: RenderResponse
            do {
                preview = try RenderResponse.preview(recipe, body)
            } catch {
                throw HomelabError.invalidInputs(String(describing: error))
            }
            return try JSONResponse.make(preview)
        }
        add(.get, "/v1/catalog", false) { _, _ in
            try JSONResponse.make(catalog.status)
        }
    }
}

/// The `GET /v1/recipes` query: words in name, tagline or description; category; architecture; a device it fits on.
struct RecipeFilter {
    var words: [String]
    var category: RecipeCategory?
    var architecture: RecipeArchitecture?
    var device: DeviceResource?

    init(text: String?, category: String?, architecture: String?, device: DeviceResource?) throws {
        words = (text ?? "").lowercased().split(whereSeparator: \.isWhitespace).map(String.init)
        if let category {
            guard let value = RecipeCategory(rawValue: category) else {
                throw HomelabError.badRequest("\(category) is not a category (one of: \(RecipeCategory.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            self.category = value
        }
        if let architecture {
            guard let value = RecipeArchitecture(machine: architecture) ?? RecipeArchitecture(rawValue: architecture) else {
                throw HomelabError.badRequest("\(architecture) is not an architecture (amd64, arm64, armv7)")
            }
            self.architecture = value
        }
        self.device = device
    }

    func matches(_ recipe: Recipe) -> Bool {
        let text = [recipe.id, recipe.name, recipe.tagline, recipe.description ?? ""].joined(separator: " ").lowercased()
        guard words.allSatisfy({ text.contains($0) }) else { return false }
        if let category, recipe.category != category { return false }
        if let architecture, !recipe.architectures.contains(architecture) { return false }
        if let device { return Self.fits(recipe, on: device) }
        return true
    }

    /// The whole recipe on `device`: its architecture, and the components' RAM and storage within what is free
    /// (available memory and the largest filesystem's free space of the latest sample; total memory without one).
    static func fits(_ recipe: Recipe, on device: DeviceResource) -> Bool {
        guard let machine = device.facts?.architecture, let architecture = RecipeArchitecture(machine: machine),
              recipe.architectures.contains(architecture) else { return false }
        let memory = recipe.components.compactMap(\.requirements.memoryBytes).reduce(0, +)
        let storage = recipe.components.compactMap(\.requirements.storageBytes).reduce(0, +)
        let freeMemory = device.metrics?.memory.map { Int64($0.availableBytes) } ?? device.facts?.memoryBytes.map { Int64($0) }
        if let freeMemory, memory > freeMemory { return false }
        if let free = device.metrics?.filesystems?.map({ Int64($0.availableBytes) }).max(), storage > free { return false }
        return true
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
