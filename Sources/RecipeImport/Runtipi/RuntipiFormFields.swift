import Yams

/// Runtipi's `form_fields` as recipe inputs, and `random` fields as secrets.
enum RuntipiFormFields {
    /// Reads the form fields; returns the binding of each field's `env_variable`.
    static func read(_ config: SourceFile, context: ImportContext) -> [String: Binding] {
        var bindings: [String: Binding] = [:]
        for (index, field) in (config.root.value("form_fields")?.items ?? []).enumerated() {
            let place = "\(config.name): form_fields[\(index)]"
            guard let variable = field.string("env_variable"), !variable.isEmpty else {
                context.drop(place, "a form field without env_variable sets nothing; left out")
                continue
            }
            let name = context.freeName(ImportContext.variableName(variable))
            if name != variable {
                context.drop("\(place).env_variable", "\(variable) is not an input name of ours ([A-Z][A-Z0-9_]*); it became \(name)")
            }
            let type = field.string("type") ?? "text"
            if type == "random" {
                bindings[variable] = .secret(randomField(field, name: name, at: place, context: context))
            } else {
                context.inputs.append(input(field, name: name, type: type, at: place, context: context))
                bindings[variable] = .input(name)
            }
        }
        return bindings
    }

    /// A `random` field: generated at install and never asked, which is what a recipe secret is.
    private static func randomField(_ field: Node, name: String, at place: String, context: ImportContext) -> String {
        var charset = "alphanumeric"
        switch field.string("encoding") {
        case "hex": charset = "hex"
        case "base64":
            charset = "base64url"
            context.drop("\(place).encoding", "base64 became base64url: secrets are made of letters, digits, - and _")
        default: break
        }
        let length = field.integer("min") ?? 32
        if length < 8 || length > 256 {
            context.drop("\(place).min", "a secret is 8 to 256 characters long; \(length) became \(min(max(length, 8), 256))")
        }
        for key in ["hint", "max", "placeholder", "default", "regex", "options"] where field.value(key) != nil {
            context.drop("\(place).\(key)", "a generated secret is never asked for")
        }
        return context.secret(name, length: length, charset: charset)
    }

    private static func input(_ field: Node, name: String, type storeType: String, at place: String, context: ImportContext) -> InputDraft {
        var input = InputDraft(name: name, type: "text")
        switch storeType {
        case "text", "password", "email", "number", "fqdn", "ip", "url", "boolean":
            input.type = storeType
        case "fqdnip":
            context.drop("\(place).type", "fqdnip (a host name or an IP address) has no input type of ours; it became text")
        default:
            context.drop("\(place).type", "\(storeType) is not an input type of ours; it became text")
        }
        input.label = field.string("label")
        input.hint = field.string("hint")
        input.required = field.flag("required") ?? false
        if let value = field.value("default"), !value.isNull, let text = value.text {
            switch value.tagName {
            case .bool: input.defaultValue = .flag(field.flag("default") ?? false)
            case .int: input.defaultValue = Int(text).map(DraftValue.number) ?? .text(text)
            default: input.defaultValue = input.type == "boolean" ? .flag(text == "true") : .text(text)
            }
        }
        if let options = field.value("options")?.items, !options.isEmpty {
            input.type = "select"
            input.options = options.compactMap { $0.string("value") ?? $0.text }
            if options.contains(where: { $0.string("label") != nil && $0.string("label") != $0.string("value") }) {
                context.drop("\(place).options", "the options' labels: a select input shows the values themselves")
            }
        }
        input.regex = field.string("regex")
        if field.value("pattern_error") != nil {
            context.drop("\(place).pattern_error", "an input shows no message of its own when its regex does not match")
        }
        if let placeholder = field.string("placeholder") {
            if input.hint == nil {
                input.hint = "e.g. \(placeholder)"
            } else {
                context.drop("\(place).placeholder", "the input already has a hint")
            }
        }
        let low = field.integer("min")
        let high = field.integer("max")
        if input.type == "number" {
            input.min = low
            input.max = high
        } else if low != nil || high != nil {
            if input.regex == nil, ["text", "password"].contains(input.type) {
                input.regex = "^[\\s\\S]{\(low ?? 0),\(high.map(String.init) ?? "")}$"
            } else {
                context.drop("\(place).min/max", "a length bound on a \(input.type) input has no field of ours")
            }
        }
        for (key, _) in field.entries ?? [] where !["type", "label", "hint", "required", "default", "options", "regex",
                                                    "pattern_error", "placeholder", "min", "max", "env_variable", "encoding"].contains(key) {
            context.drop("\(place).\(key)", "not a field of a recipe input")
        }
        return input
    }
}
