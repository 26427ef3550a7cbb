import Foundation

/// Reads a recipe's form fields, and checks a value given for one.
enum InputReader {
    static let fields = ["name", "type", "label", "hint", "required", "default", "regex", "min", "max", "options", "length", "charset"]

    static func read(_ tree: ComposeTree, _ reader: inout TreeReader) -> RecipeInput? {
        guard reader.map(tree, allowed: fields) != nil else { return nil }
        let name = reader.required(tree, "name").flatMap { reader.string($0) }
        if let name, !RecipeLoader.isVariableName(name), let node = tree["name"] {
            reader.fail(node, "\"\(name)\" is not a name: upper-case letters, digits and '_', starting with a letter")
        }
        let kind = reader.required(tree, "type").flatMap { reader.choice($0, RecipeInput.Kind.self, what: "an input type") }
        guard let name, let kind else { return nil }
        var input = RecipeInput(name: name, type: kind)
        input.label = tree["label"].flatMap { reader.string($0) }
        input.hint = tree["hint"].flatMap { reader.string($0) }
        input.required = tree["required"].flatMap { reader.bool($0) } ?? false
        input.regex = tree["regex"].flatMap { reader.string($0) }
        if let pattern = input.regex, (try? Regex(pattern)) == nil, let node = tree["regex"] {
            reader.fail(node, "\"\(pattern)\" is not a regular expression")
            input.regex = nil
        }
        input.min = tree["min"].flatMap { reader.int($0) }
        input.max = tree["max"].flatMap { reader.int($0) }
        input.options = tree["options"].flatMap { reader.list($0) }.map { $0.compactMap { reader.string($0) } }
        input.length = tree["length"].flatMap { reader.int($0, in: 8...256) }
        input.charset = tree["charset"].flatMap { reader.choice($0, SecretCharset.self, what: "a charset") }
        for (key, kinds) in [("min", [RecipeInput.Kind.number]), ("max", [.number]), ("options", [.select]), ("length", [.random]), ("charset", [.random])]
        where tree[key] != nil && !kinds.contains(kind) {
            reader.fail(tree[key]!, "applies to \(kinds.map(\.rawValue).joined(separator: ", ")) inputs only")
        }
        if kind == .select, input.options?.isEmpty ?? true { reader.fail(tree, "a select input needs options") }
        if let min = input.min, let max = input.max, min > max { reader.fail(tree["min"]!, "min \(min) is above max \(max)") }
        if let value = tree["default"], !value.isNull {
            input.defaultValue = reader.string(value)
            if let text = input.defaultValue, let problem = problem(with: text, for: input) { reader.fail(value, "default: \(problem)") }
        }
        return input
    }

    /// What is wrong with `value` for `input`, or nil when it is fine.
    static func problem(with value: String, for input: RecipeInput) -> String? {
        switch input.type {
        case .text, .password, .random: break
        case .email:
            let parts = value.split(separator: "@", omittingEmptySubsequences: false)
            if parts.count != 2 || parts[0].isEmpty || !parts[1].contains(".") || value.contains(where: \.isWhitespace) {
                return "\"\(value)\" is not an e-mail address"
            }
        case .number:
            guard let number = Int(value) else { return "\"\(value)\" is not a whole number" }
            if let min = input.min, number < min { return "\(number) is below the minimum \(min)" }
            if let max = input.max, number > max { return "\(number) is above the maximum \(max)" }
        case .boolean:
            if value != "true" && value != "false" { return "\"\(value)\" is not true or false" }
        case .select:
            if !(input.options ?? []).contains(value) { return "\"\(value)\" is not one of \((input.options ?? []).joined(separator: ", "))" }
        case .fqdn:
            let labels = value.split(separator: ".", omittingEmptySubsequences: false)
            let valid = labels.count >= 2 && value.count <= 253 && labels.allSatisfy { label in
                !label.isEmpty && label.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                    && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
            }
            if !valid { return "\"\(value)\" is not a fully qualified host name (like nas.home.arpa)" }
        case .ip:
            if !isIPAddress(value) { return "\"\(value)\" is not an IPv4 or IPv6 address" }
        case .url:
            guard let url = URL(string: value), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                return "\"\(value)\" is not an http(s):// URL"
            }
        case .port:
            guard let port = Int(value), (1...65535).contains(port) else { return "\"\(value)\" is not a port (1-65535)" }
        }
        if let pattern = input.regex, let regex = try? Regex(pattern), (try? regex.wholeMatch(in: value)) == nil {
            return "\"\(input.type == .password ? "…" : value)\" does not match \(pattern)"
        }
        return nil
    }

    static func isIPAddress(_ text: String) -> Bool {
        var v4 = in_addr(), v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }
}
