import Yams

/// A YAML document read into a `ComposeTree`: size-limited, aliases expanded with a node budget
/// (a "billion laughs" document is refused), merge keys (`<<`) applied, duplicate keys refused.
public enum YAMLSource {
    /// Bytes a recipe file may have.
    public static let maximumBytes = 1 << 20
    /// Nodes a document may expand to, aliases counted at every use.
    public static let maximumNodes = 100_000

    /// Parses `text`; problems name `file`.
    public static func parse(_ text: String, file: String) throws(RecipeProblems) -> ComposeTree {
        func problem(_ line: Int, _ column: Int, _ message: String) -> RecipeProblems {
            RecipeProblems([RecipeProblem(file: file, line: line, column: column, field: "", message: message)])
        }
        guard text.utf8.count <= maximumBytes else {
            throw problem(0, 0, "the file has \(text.utf8.count) bytes; a recipe may have at most \(maximumBytes)")
        }
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            let (mark, message) = describe(error)
            throw problem(mark?.line ?? 0, mark?.column ?? 0, message)
        } catch {
            throw problem(0, 0, "not YAML: \(error)")
        }
        guard let node else { throw problem(0, 0, "the file is empty") }
        var converter = Converter(file: file)
        let tree = converter.convert(node, path: "")
        if !converter.problems.isEmpty { throw RecipeProblems(converter.problems) }
        return tree
    }

    /// Yams' error as a place and words.
    static func describe(_ error: YamlError) -> (Mark?, String) {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            return (mark, "not valid YAML: " + [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ", "))
        case .duplicatedKeysInMapping(let duplicates, let context):
            return (context.mark, "a mapping has the key\(duplicates.count == 1 ? "" : "s") \(duplicates.joined(separator: ", ")) more than once")
        case .reader(let problem, _, _, _):
            return (nil, "cannot read the file: \(problem)")
        default:
            return (nil, "not valid YAML: \(error)")
        }
    }

    private struct Converter {
        let file: String
        var problems: [RecipeProblem] = []
        var nodes = 0
        var exhausted = false

        init(file: String) { self.file = file }

        func place(_ node: Node, _ path: String) -> Place {
            Place(line: node.mark?.line ?? 0, column: node.mark?.column ?? 0, path: path)
        }

        mutating func fail(_ node: Node, _ path: String, _ message: String) {
            problems.append(RecipeProblem(file: file, line: node.mark?.line ?? 0, column: node.mark?.column ?? 0, field: path, message: message))
        }

        mutating func convert(_ node: Node, path: String) -> ComposeTree {
            nodes += 1
            if nodes > YAMLSource.maximumNodes {
                if !exhausted {
                    exhausted = true
                    fail(node, path, "the document expands to more than \(YAMLSource.maximumNodes) values (aliases counted at each use); refused")
                }
                return .scalar("", quoted: false, place(node, path))
            }
            switch node {
            case .scalar(let scalar):
                return .scalar(scalar.string, quoted: scalar.style != .plain, place(node, path))
            case .sequence(let sequence):
                var items: [ComposeTree] = []
                for (index, item) in sequence.enumerated() {
                    if exhausted { break }
                    items.append(convert(item, path: "\(path)[\(index)]"))
                }
                return .list(items, place(node, path))
            case .mapping(let mapping):
                return .map(entries(of: mapping, node: node, path: path), place(node, path))
            case .alias:
                fail(node, path, "an alias that names no anchor")
                return .scalar("", quoted: false, place(node, path))
            }
        }

        /// The mapping's entries, merge keys applied: keys written in the mapping win over merged ones,
        /// and among merged mappings the first listed wins.
        mutating func entries(of mapping: Node.Mapping, node: Node, path: String) -> [ComposeTree.Entry] {
            var own: [ComposeTree.Entry] = []
            var merged: [ComposeTree.Entry] = []
            for (keyNode, valueNode) in mapping {
                if exhausted { break }
                guard case .scalar(let key) = keyNode else {
                    fail(keyNode, path, "a key must be text, not a list or a mapping")
                    continue
                }
                if key.string == "<<" && key.style == .plain {
                    let sources: [Node]
                    switch valueNode {
                    case .mapping: sources = [valueNode]
                    case .sequence(let list): sources = Array(list)
                    default:
                        fail(valueNode, path, "a merge key (<<) takes a mapping or a list of mappings")
                        continue
                    }
                    for source in sources {
                        guard case .mapping(let sourceMapping) = source else {
                            fail(source, path, "a merge key (<<) takes a mapping or a list of mappings")
                            continue
                        }
                        for entry in entries(of: sourceMapping, node: source, path: path) where !merged.contains(where: { $0.key == entry.key }) {
                            merged.append(entry)
                        }
                    }
                    continue
                }
                let childPath = path.isEmpty ? key.string : "\(path).\(key.string)"
                own.append(.init(key: key.string, value: convert(valueNode, path: childPath)))
            }
            return own + merged.filter { entry in !own.contains { $0.key == entry.key } }
        }
    }
}
