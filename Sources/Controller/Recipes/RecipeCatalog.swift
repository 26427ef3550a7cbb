import Foundation
import Logging
import Protocol
import Recipes
import ServiceLifecycle
import Synchronization

/// The recipes the controller offers: the bundled catalog plus the user's folders, reloaded when a
/// file changes. A recipe that does not load is left out and its problems are kept for `GET /v1/catalog`;
/// a later folder's recipe replaces an earlier one with the same id.
public final class RecipeCatalog: Sendable {
    struct Entry: Sendable {
        var recipe: Recipe
        var catalog: String
        /// The file's text as loaded: what a deployment keeps.
        var text: String
        var path: String
    }
    struct State: Sendable {
        var entries: [String: Entry] = [:]
        var problems: [RecipeProblem] = []
        var fingerprint: [String] = []
        var loadedAt = Date()
        var loaded = false
    }

    public let directories: [URL]
    private let state = Mutex(State())
    private let logger: Logger

    public init(directories: [URL], logger: Logger) {
        self.directories = directories
        self.logger = logger
        reloadIfChanged()
    }

    /// The recipe `id`.
    public func recipe(_ id: String) -> (recipe: Recipe, catalog: String)? {
        state.withLock { $0.entries[id].map { ($0.recipe, $0.catalog) } }
    }

    /// The text recipe `id` was loaded from, and its file's path (a deployment keeps the text it was made from).
    public func source(_ id: String) -> (text: String, file: String)? {
        state.withLock { $0.entries[id].map { ($0.text, $0.path) } }
    }

    /// Every recipe, by id.
    public var recipes: [(recipe: Recipe, catalog: String)] {
        state.withLock { $0.entries.values.sorted { $0.recipe.id < $1.recipe.id }.map { ($0.recipe, $0.catalog) } }
    }

    public var status: CatalogStatus {
        state.withLock { state in
            CatalogStatus(directories: directories.map(\.path), recipes: state.entries.count, problems: state.problems,
                          loadedAt: ISO8601DateFormatter().string(from: state.loadedAt))
        }
    }

    /// The `.yaml` files of the folders with their size and modification time: what a reload compares.
    func fingerprint() -> [String] {
        directories.flatMap { directory -> [String] in
            let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
            return files.filter { $0.hasSuffix(".yaml") }.sorted().map { name in
                let attributes = try? FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent(name).path)
                let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
                return "\(directory.path)/\(name) \(attributes?[.size] ?? 0) \(modified)"
            }
        }
    }

    /// Reloads every folder when a file was added, removed or changed; returns whether it did.
    @discardableResult
    public func reloadIfChanged() -> Bool {
        let current = fingerprint()
        if state.withLock({ $0.loaded && $0.fingerprint == current }) { return false }
        var loaded = State()
        loaded.fingerprint = current
        loaded.loaded = true
        for directory in directories {
            let files = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasSuffix(".yaml") }.sorted()
            for file in files {
                let path = directory.appendingPathComponent(file).path
                do {
                    let (recipe, text) = try RecipeLoader.loadWithText(path: path)
                    loaded.entries[recipe.id] = Entry(recipe: recipe, catalog: directory.path, text: text, path: path)
                } catch {
                    loaded.problems += error.problems
                    for problem in error.problems { logger.warning("recipe not loaded: \(problem)") }
                }
            }
        }
        let count = loaded.entries.count
        state.withLock { $0 = loaded }
        logger.info("catalog loaded: \(count) recipes from \(directories.count) folders, \(loaded.problems.count) problems")
        return true
    }

    /// Looks for changes every `interval` until shut down.
    public func watcher(interval: Duration = .seconds(2)) -> some Service { Watcher(catalog: self, interval: interval) }

    struct Watcher: Service {
        let catalog: RecipeCatalog
        let interval: Duration
        func run() async throws {
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                try? await Task.sleep(for: interval)
                catalog.reloadIfChanged()
            }
        }
    }

    /// The bundled catalog: `../share/homelab/recipes` beside the executable, `/usr/share/homelab/recipes`,
    /// or `recipes/` in the working directory (a source checkout), whichever exists first.
    public static func bundledDirectory() -> URL? {
        let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
        let candidates = [executable.deletingLastPathComponent().appendingPathComponent("../share/homelab/recipes").standardizedFileURL,
                          URL(fileURLWithPath: "/usr/share/homelab/recipes"),
                          URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("recipes")]
        return candidates.first { var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: $0.path, isDirectory: &isDirectory) && isDirectory.boolValue }
    }
}
