/// Why an app folder could not be imported: names the file (and line and column when known) and what is wrong.
///
/// ```
/// apps/foo/docker-compose.yml:4:9: not valid YAML: mapping values are not allowed in this context
/// apps/bar: not an app of the Runtipi, CasaOS or Umbrel stores: it holds none of umbrel-app.yml, config.json, docker-compose.yml
/// ```
public struct ImportError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What kind of problem it is.
    public enum Kind: String, Sendable, Equatable {
        /// The folder is none of the three formats (or does not exist).
        case notAnApp
        /// A file the format needs is missing or cannot be read.
        case missingFile
        /// A file is not valid YAML or JSON.
        case syntax
        /// A file parses but lacks something the import needs (an id, services, …).
        case content
    }

    public var kind: Kind
    /// The file (or folder) as the caller named it, joined with the file's name.
    public var file: String
    /// 1-based; 0 when the problem has no place in the file.
    public var line: Int
    public var column: Int
    /// What is wrong, in words.
    public var message: String

    public init(_ kind: Kind, file: String, line: Int = 0, column: Int = 0, message: String) {
        self.kind = kind
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String {
        line > 0 ? "\(file):\(line):\(column): \(message)" : "\(file): \(message)"
    }
}
