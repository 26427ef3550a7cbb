import Foundation
import Recipes
import RecipeImport
import Testing
import Yams

/// The fixture apps under `Tests/RecipeImportTests/Fixtures/<store>/<app>`, found from this file's path.
enum Fixture {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    static func path(_ store: String, _ app: String) -> String {
        root.appendingPathComponent(store).appendingPathComponent(app).path
    }

    /// Imports a fixture app.
    static func importApp(_ store: String, _ app: String) throws -> ImportResult {
        try RecipeImporter.importApp(at: path(store, app))
    }

    /// The error importing a fixture app throws (a failed expectation when it throws none).
    static func importError(_ store: String, _ app: String, sourceLocation: SourceLocation = #_sourceLocation) -> ImportError? {
        do {
            let result = try RecipeImporter.importApp(at: path(store, app))
            Issue.record("imported without an error:\n\(result.yaml)", sourceLocation: sourceLocation)
            return nil
        } catch {
            return error
        }
    }
}

/// An imported recipe read back: the loader's view (which must have no problems) and the YAML tree for exact checks.
struct Imported {
    let result: ImportResult
    let recipe: Recipe
    let tree: Node

    init(_ store: String, _ app: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        result = try Fixture.importApp(store, app)
        do {
            recipe = try RecipeLoader.parse(result.yaml, file: "\(result.id).yaml")
        } catch {
            Issue.record("the loader refused the import:\n\(error)\n\(result.yaml)", sourceLocation: sourceLocation)
            throw error
        }
        tree = try #require(try Yams.compose(yaml: result.yaml))
    }

    /// The value at a dotted path (`components.0.compose.services.web.image`), nil when there is none.
    func node(_ path: String) -> Node? {
        var current: Node? = tree
        for part in path.split(separator: ".").map(String.init) {
            guard let node = current else { return nil }
            if let index = Int(part), case .sequence(let sequence) = node {
                current = index < sequence.count ? sequence[index] : nil
            } else if case .mapping(let mapping) = node {
                current = mapping.first { $0.key.string == part }?.value
            } else {
                return nil
            }
        }
        return current
    }

    /// The text at a path.
    func text(_ path: String) -> String? { node(path)?.string }

    /// The texts of a list at a path.
    func texts(_ path: String) -> [String]? {
        guard case .sequence(let sequence)? = node(path) else { return nil }
        return sequence.compactMap(\.string)
    }

    /// The keys of a map at a path, in order.
    func keys(_ path: String) -> [String]? {
        guard case .mapping(let mapping)? = node(path) else { return nil }
        return mapping.keys.compactMap(\.string)
    }

    /// A service of the one component.
    func service(_ name: String) -> String { "components.0.compose.services.\(name)" }

    /// The input of that name, as the loader read it.
    func input(_ name: String) -> RecipeInput? { recipe.inputs.first { $0.name == name } }

    /// The dropped note whose `what` is exactly `what`, or the first whose `what` starts with it.
    func dropped(_ what: String) -> ImportResult.Dropped? {
        result.dropped.first { $0.what == what } ?? result.dropped.first { $0.what.hasPrefix(what) }
    }

    /// Whether a dropped note stands at `what` and its reason holds `words`.
    func hasDropped(_ what: String, saying words: String) -> Bool {
        result.dropped.contains { $0.what == what && $0.why.contains(words) }
    }
}
