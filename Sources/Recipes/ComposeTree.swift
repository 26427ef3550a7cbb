/// Where a value stands in a recipe file: line and column (1-based) and the field path.
public struct Place: Sendable, Equatable, Hashable {
    public var line: Int
    public var column: Int
    public var path: String
    public init(line: Int, column: Int, path: String) {
        self.line = line
        self.column = column
        self.path = path
    }
}

/// A YAML value as the recipe holds it until rendering: scalars keep their text (templates unresolved)
/// and every value keeps its place, so a problem found at render time is named where it was written.
public indirect enum ComposeTree: Sendable, Equatable {
    /// Text; `quoted` when written in quotes (then never a number, boolean or null).
    case scalar(String, quoted: Bool, Place)
    case list([ComposeTree], Place)
    /// Keys in the order written.
    case map([Entry], Place)

    public struct Entry: Sendable, Equatable {
        public var key: String
        public var value: ComposeTree
        public init(key: String, value: ComposeTree) {
            self.key = key
            self.value = value
        }
    }

    public var place: Place {
        switch self {
        case .scalar(_, _, let place), .list(_, let place), .map(_, let place): place
        }
    }

    /// A plain `~`, `null`, `Null`, `NULL` or nothing at all.
    public var isNull: Bool {
        if case .scalar(let text, false, _) = self { return ["", "~", "null", "Null", "NULL"].contains(text) }
        return false
    }

    /// The text of a scalar.
    public var text: String? {
        if case .scalar(let text, _, _) = self { return text }
        return nil
    }

    /// The entries of a map.
    public var entries: [Entry]? {
        if case .map(let entries, _) = self { return entries }
        return nil
    }

    /// The value under `key` of a map.
    public subscript(key: String) -> ComposeTree? {
        entries?.first { $0.key == key }?.value
    }
}
