import Foundation
import Protocol
import Testing
@testable import Recipes

/// The bundled catalog (`recipes/`): CI fails when a recipe does not validate or render.
@Suite("The bundled catalog")
struct CatalogTests {
    static let directory = Fixture.repository.appendingPathComponent("recipes")

    static var files: [URL] {
        ((try? FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)) ?? [])
            .filter { $0.pathExtension == "yaml" }.sorted { $0.path < $1.path }
    }

    @Test("at least 40 recipes, every one valid, rendering with its defaults, the same bytes twice")
    func everyRecipe() throws {
        #expect(Self.files.count >= 40, "recipes/ holds \(Self.files.count)")
        for file in Self.files {
            let recipe: Recipe
            do {
                recipe = try RecipeLoader.load(path: file.path, displayName: "recipes/\(file.lastPathComponent)")
            } catch {
                Issue.record("\(error)")
                continue
            }
            var inputs: [String: String] = [:]
            for input in recipe.inputs where input.required && input.defaultValue == nil { inputs[input.name] = RecipeChecks.sample(for: input) }
            let context = RenderContext(deploymentName: recipe.id, deploymentID: "d", inputs: try RecipeRenderer.resolveInputs(recipe, given: inputs),
                                        secrets: RecipeRenderer.secrets(recipe, existing: Dictionary(uniqueKeysWithValues: recipe.secrets.map { ($0.name, "s3cret-\($0.name)") })),
                                        hosts: Dictionary(uniqueKeysWithValues: recipe.components.map { ($0.name, "198.18.0.9") }))
            let once = try RecipeRenderer.render(recipe, context, file: file.path).components.map { try ComposeFile.text(of: $0.stack) }
            let twice = try RecipeRenderer.render(recipe, context, file: file.path).components.map { try ComposeFile.text(of: $0.stack) }
            #expect(once == twice, "\(recipe.id) renders differently twice")
            #expect(!once.isEmpty)
        }
    }

    @Test("the catalog covers the categories the project promises")
    func coverage() throws {
        let categories = Set(Self.files.compactMap { try? RecipeLoader.load(path: $0.path).category })
        for category in [RecipeCategory.media, .files, .passwords, .homeAutomation, .network, .monitoring, .development, .photos, .documents,
                         .dashboards, .reverseProxy] {
            #expect(categories.contains(category), "no recipe in \(category.rawValue)")
        }
    }
}
