/// One thing wrong with a recipe, where it stands: `recipes/x.yaml:14:7: components[0].port: 70000 is not a port`.
public struct RecipeProblem: Error, Equatable, Sendable, Codable, CustomStringConvertible {
    /// The file as the user named it.
    public var file: String
    /// 1-based; 0 when the problem has no place in the file (a missing file, a wrong file name).
    public var line: Int
    public var column: Int
    /// The field path, e.g. `components[0].compose.services.app.ports[1]`; empty for the whole document.
    public var field: String
    /// What is wrong, in words.
    public var message: String

    public init(file: String, line: Int, column: Int, field: String, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.field = field
        self.message = message
    }

    public var description: String {
        let place = line > 0 ? "\(file):\(line):\(column)" : file
        return field.isEmpty ? "\(place): \(message)" : "\(place): \(field): \(message)"
    }
}

/// Every problem found in a recipe (the loader never stops at the first).
public struct RecipeProblems: Error, Equatable, Sendable, CustomStringConvertible {
    public var problems: [RecipeProblem]
    public init(_ problems: [RecipeProblem]) { self.problems = problems }
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
