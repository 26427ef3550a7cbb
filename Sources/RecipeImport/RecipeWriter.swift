import Yams

/// Writes a `RecipeDraft` as YAML in our format, through a `Yams.Node` so quoting is always right.
enum RecipeWriter {
    /// The order keys of a service are written in.
    static let serviceKeyOrder = [
        "image", "command", "entrypoint", "user", "working_dir", "restart", "network_mode", "privileged", "cap_add", "cap_drop",
        "devices", "ports", "volumes", "tmpfs", "environment", "depends_on", "healthcheck", "labels", "networks", "sysctls",
        "ulimits", "mem_limit", "cpus", "logging", "tty",
    ]

    static func yaml(_ draft: RecipeDraft) throws -> String {
        try Yams.serialize(node: node(draft), indent: 2, width: -1, allowUnicode: true)
    }

    static func node(_ draft: RecipeDraft) -> Node {
        var top: [(String, Node)] = [
            ("id", .str(draft.id)),
            ("name", .str(draft.name)),
            ("tagline", .str(draft.tagline)),
        ]
        if let description = draft.description { top.append(("description", .str(description))) }
        top.append(("category", .str(draft.category)))
        if let icon = draft.icon { top.append(("icon", .str(icon))) }
        if let homepage = draft.homepage { top.append(("homepage", .str(homepage))) }
        if let source = draft.source { top.append(("source", .str(source))) }
        top.append(("version", .str(draft.version)))
        top.append(("architectures", .flowList(draft.architectures.map { .str($0) })))
        if !draft.inputs.isEmpty { top.append(("inputs", .list(draft.inputs.map(input)))) }
        if !draft.secrets.isEmpty {
            top.append(("secrets", .list(draft.secrets.map { secret in
                .map([("name", .str(secret.name)), ("length", .number(secret.length)), ("charset", .str(secret.charset))])
            })))
        }
        top.append(("components", .list([component(draft.component)])))
        if let web = draft.web {
            var entries: [(String, Node)] = [("component", .str(draft.component.name))]
            if let service = web.service { entries.append(("service", .str(service))) }
            entries += [("port", .str(web.port)), ("path", .str(web.path)), ("scheme", .str(web.scheme))]
            top.append(("web", .map(entries)))
        }
        if let notes = draft.notes { top.append(("notes", .str(notes))) }
        return .map(top)
    }

    private static func input(_ input: InputDraft) -> Node {
        var entries: [(String, Node)] = [("name", .str(input.name))]
        if let label = input.label { entries.append(("label", .str(label))) }
        entries.append(("type", .str(input.type)))
        if let hint = input.hint { entries.append(("hint", .str(hint))) }
        if input.required { entries.append(("required", .flag(true))) }
        if let value = input.defaultValue { entries.append(("default", .value(value))) }
        if let regex = input.regex { entries.append(("regex", .str(regex))) }
        if let min = input.min { entries.append(("min", .number(min))) }
        if let max = input.max { entries.append(("max", .number(max))) }
        if let options = input.options { entries.append(("options", .list(options.map { .str($0) }))) }
        if let length = input.length { entries.append(("length", .number(length))) }
        if let charset = input.charset { entries.append(("charset", .str(charset))) }
        return .map(entries)
    }

    private static func component(_ component: ComponentDraft) -> Node {
        var entries: [(String, Node)] = [("name", .str(component.name))]
        var requirements: [(String, Node)] = []
        if let memory = component.memory { requirements.append(("memory", .str(memory))) }
        if component.gpu { requirements.append(("gpu", .flag(true))) }
        if !requirements.isEmpty { entries.append(("requirements", .map(requirements))) }
        var compose: [(String, Node)] = [("services", .map(component.services.map { ($0.name, service($0)) }))]
        if !component.volumes.isEmpty {
            compose.append(("volumes", .map(component.volumes.map { ($0, .map([])) })))
        }
        if !component.networks.isEmpty { compose.append(("networks", .map(component.networks.map { ($0.name, $0.value) }))) }
        entries.append(("compose", .map(compose)))
        return .map(entries)
    }

    private static func service(_ service: ServiceDraft) -> Node {
        var values = service.values
        if !service.ports.isEmpty { values["ports"] = .list(service.ports.map { .str($0.text) }) }
        var entries: [(String, Node)] = serviceKeyOrder.compactMap { key in values[key].map { (key, $0) } }
        let known = Set(serviceKeyOrder)
        entries += values.keys.filter { !known.contains($0) }.sorted().compactMap { key in values[key].map { (key, $0) } }
        return .map(entries)
    }
}

extension Node {
    /// A string, quoted when it would otherwise read back as a number, boolean or null.
    static func str(_ text: String) -> Node {
        let style: Node.Scalar.Style
        if text.contains("\n") {
            style = .literal
        } else if needsQuotes(text) {
            style = .doubleQuoted
        } else {
            style = .any
        }
        return .scalar(.init(text, Tag(.str), style))
    }

    /// An integer, written plain.
    static func number(_ value: Int) -> Node { .scalar(.init(String(value), Tag(.int), .plain)) }

    /// A boolean, written plain.
    static func flag(_ value: Bool) -> Node { .scalar(.init(value ? "true" : "false", Tag(.bool), .plain)) }

    /// A scalar kept as it was written: plain text of its own type (number, boolean, null).
    static func plain(_ text: String, tag: Tag.Name) -> Node { .scalar(.init(text, Tag(tag), .plain)) }

    static func value(_ value: DraftValue) -> Node {
        switch value {
        case .text(let text): .str(text)
        case .number(let number): .number(number)
        case .flag(let flag): .flag(flag)
        }
    }

    static func map(_ entries: [(String, Node)]) -> Node {
        .mapping(.init(entries.map { (Node.str($0.0), $0.1) }, Tag(.map), .block))
    }

    static func list(_ items: [Node]) -> Node { .sequence(.init(items, Tag(.seq), .block)) }

    static func flowList(_ items: [Node]) -> Node { .sequence(.init(items, Tag(.seq), .flow)) }

    /// Whether plain `text` would read back as something other than this string.
    static func needsQuotes(_ text: String) -> Bool {
        if Node.scalar(.init(text)).tagName != .str { return true }
        if ["y", "Y", "n", "N"].contains(text) { return true }
        // Number-like text (versions, port ranges, octal or sexagesimal forms) reads safest quoted.
        if let first = text.first, first.isNumber || first == "." || first == "+" || first == "-" {
            return text.allSatisfy { $0.isNumber || ".:_-+eExXoObB".contains($0) }
        }
        return false
    }
}
