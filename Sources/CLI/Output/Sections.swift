/// Titled sections of `Key: value` lines or sub-tables, as `homelab devices show` prints them.
public struct Sections: Sendable {
    /// One block of output.
    public enum Block: Sendable {
        /// Aligned `Key: value` pairs.
        case fields([(String, String)])
        /// A table, indented.
        case table(Table)
        /// Free lines, indented.
        case lines([String])
    }

    /// Titles and their blocks, in order.
    public private(set) var sections: [(title: String, block: Block)] = []

    /// Creates an empty document.
    public init() {}

    /// Adds a section.
    public mutating func add(_ title: String, _ block: Block) {
        sections.append((title, block))
    }

    /// The text: each title on its own line, its content indented two spaces, a blank line between sections.
    public func render() -> String {
        sections.map { title, block in
            var text = title + "\n"
            switch block {
            case .fields(let pairs):
                let width = (pairs.map { $0.0.count }.max() ?? 0) + 1
                for (key, value) in pairs {
                    let label = key + ":"
                    text += "  " + label + String(repeating: " ", count: width - label.count + 1) + value + "\n"
                }
            case .table(let table):
                for line in table.render().split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
                    text += line.isEmpty ? "\n" : "  \(line)\n"
                }
            case .lines(let lines):
                for line in lines { text += "  \(line)\n" }
            }
            return text
        }.joined(separator: "\n")
    }
}
