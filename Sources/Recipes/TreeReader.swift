import Foundation

/// Reads typed values out of a `ComposeTree`, collecting every problem with its place instead of stopping.
struct TreeReader {
    let file: String
    private(set) var problems: [RecipeProblem] = []

    init(file: String) { self.file = file }

    mutating func fail(_ place: Place, _ message: String) {
        problems.append(RecipeProblem(file: file, line: place.line, column: place.column, field: place.path, message: message))
    }

    mutating func fail(_ tree: ComposeTree, _ message: String) { fail(tree.place, message) }

    /// The entries of a map, with keys outside `allowed` reported (with a suggestion when one is close).
    mutating func map(_ tree: ComposeTree, allowed: [String]? = nil, what: String = "a mapping") -> [ComposeTree.Entry]? {
        guard let entries = tree.entries else {
            if !tree.isNull { fail(tree, "must be \(what)") }
            return tree.isNull ? [] : nil
        }
        if let allowed {
            for entry in entries where !allowed.contains(entry.key) {
                fail(entry.value, "unknown field\(Self.suggestion(for: entry.key, among: allowed))")
            }
        }
        return entries
    }

    /// A required field of a map; reports it missing at the map's place.
    mutating func required(_ tree: ComposeTree, _ key: String) -> ComposeTree? {
        if let value = tree[key], !value.isNull { return value }
        let path = tree.place.path.isEmpty ? key : "\(tree.place.path).\(key)"
        fail(Place(line: tree.place.line, column: tree.place.column, path: path), "is required")
        return nil
    }

    mutating func list(_ tree: ComposeTree) -> [ComposeTree]? {
        if case .list(let items, _) = tree { return items }
        if tree.isNull { return [] }
        fail(tree, "must be a list")
        return nil
    }

    mutating func string(_ tree: ComposeTree) -> String? {
        guard let text = tree.text, !(tree.isNull && text.isEmpty) else {
            fail(tree, "must be text")
            return nil
        }
        return text
    }

    mutating func int(_ tree: ComposeTree, in range: ClosedRange<Int>? = nil) -> Int? {
        guard let text = tree.text, let value = Int(text) else {
            fail(tree, "must be a whole number")
            return nil
        }
        if let range, !range.contains(value) {
            fail(tree, "\(value) is out of range (\(range.lowerBound)-\(range.upperBound))")
            return nil
        }
        return value
    }

    mutating func bool(_ tree: ComposeTree) -> Bool? {
        switch tree.text {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default:
            fail(tree, "must be true or false")
            return nil
        }
    }

    mutating func choice<Value: RawRepresentable & CaseIterable>(_ tree: ComposeTree, _ type: Value.Type, what: String) -> Value?
    where Value.RawValue == String {
        guard let text = string(tree) else { return nil }
        if let value = Value(rawValue: text) { return value }
        fail(tree, "\"\(text)\" is not \(what) (one of: \(Value.allCases.map(\.rawValue).joined(separator: ", ")))")
        return nil
    }

    /// `512M`, `1G`, `1.5G`, `256MiB`, `2GB`, or a number of bytes; powers of 1024.
    static func bytes(_ text: String) -> Int64? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let digits = trimmed.prefix { $0.isNumber || $0 == "." }
        var unit = trimmed.dropFirst(digits.count).lowercased()
        if unit.hasSuffix("ib") { unit.removeLast(2) } else if unit.hasSuffix("b") { unit.removeLast() }
        guard let number = Double(digits), number >= 0 else { return nil }
        let scale: Double
        switch unit {
        case "": scale = 1
        case "k": scale = 1_024
        case "m": scale = 1_048_576
        case "g": scale = 1_073_741_824
        case "t": scale = 1_099_511_627_776
        default: return nil
        }
        let value = number * scale
        return value < 9.2e18 ? Int64(value.rounded()) : nil
    }

    mutating func size(_ tree: ComposeTree) -> Int64? {
        guard let text = string(tree) else { return nil }
        if let bytes = Self.bytes(text) { return bytes }
        fail(tree, "\"\(text)\" is not a size (e.g. 512M, 1G, 1.5G)")
        return nil
    }

    /// ` (did you mean 'image'?)` when a known name is within two edits, else a list of the known names.
    static func suggestion(for key: String, among known: [String]) -> String {
        if let close = known.min(by: { distance(key, $0) < distance(key, $1) }), distance(key, close) <= 2 {
            return " '\(key)' (did you mean '\(close)'?)"
        }
        return " '\(key)' (known: \(known.joined(separator: ", ")))"
    }

    /// Levenshtein distance.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1]
            for (j, y) in b.enumerated() {
                current.append(Swift.min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1)))
            }
            previous = current
        }
        return previous[b.count]
    }
}
