/// What an importer made of one app of another store.
public struct ImportResult: Sendable {
    /// The store the app came from.
    public enum Store: String, Sendable, Codable { case runtipi, casaos, umbrel }

    /// Something of the original that the recipe does not carry, and why.
    public struct Dropped: Sendable, Equatable, Codable, CustomStringConvertible {
        /// Where it stood in the original, e.g. `docker-compose.yml: services.app.build`.
        public var what: String
        public var why: String
        public init(what: String, why: String) {
            self.what = what
            self.why = why
        }
        public var description: String { "\(what): \(why)" }
    }

    public var store: Store
    /// The recipe's id.
    public var id: String
    /// The recipe, as YAML in our format (`docs/recipes.md`).
    public var yaml: String
    public var dropped: [Dropped]

    public init(store: Store, id: String, yaml: String, dropped: [Dropped]) {
        self.store = store
        self.id = id
        self.yaml = yaml
        self.dropped = dropped
    }
}
