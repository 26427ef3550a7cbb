import Yams

/// Store apps often ship a fixed database password (`MYSQL_PASSWORD: casaos`) that every install shares. Where
/// such a value stands only as the whole value of password variables, it becomes a generated secret; where it
/// also stands inside other text (a URL, a health check command), it is kept and noted, so nothing breaks.
enum FixedPasswords {
    static func replace(in services: inout [ServiceDraft], context: ImportContext, file: String) {
        struct Use { var service: Int; var key: String }
        var uses: [String: [Use]] = [:]
        var order: [String] = []
        for (index, service) in services.enumerated() {
            for (key, value) in service.values["environment"]?.entries ?? [] {
                guard isPasswordKey(key), let text = value.text, isFixedSecret(text) else { continue }
                if uses[text] == nil { order.append(text) }
                uses[text, default: []].append(Use(service: index, key: key))
            }
        }
        for value in order {
            // The shortest variable name of the group names the secret (MYSQL_PASSWORD rather than APP__DB__PASSWORD).
            guard let group = uses[value], let first = group.min(by: { $0.key.count < $1.key.count }) else { continue }
            let places = group.map { "\(file): services.\(services[$0.service].name).environment.\($0.key)" }
            if let elsewhere = occurrence(of: value, in: services, outside: Set(group.map { "\($0.service)/\($0.key)" })) {
                for place in places {
                    context.drop(place, "a fixed password shared by every install of the app; kept, since it also stands in \(elsewhere) (change it by hand)")
                }
                continue
            }
            let name = context.secret(ImportContext.variableName(first.key))
            for use in group {
                services[use.service].values["environment"] = setting(use.key, to: "${secret.\(name)}",
                                                                       in: services[use.service].values["environment"])
            }
            for place in places {
                context.drop(place, "a fixed password shared by every install of the app; replaced by the generated secret \(name)")
            }
        }
    }

    static func isPasswordKey(_ key: String) -> Bool {
        let upper = key.uppercased()
        let marks = ["PASSWORD", "PASSWD", "PASSPHRASE", "SECRET"]
        let isPassword = marks.contains { upper.contains($0) } || upper.hasSuffix("_PASS") || upper == "PASS"
        let excluded = ["FILE", "ALLOW", "RANDOM", "EMPTY", "HASH", "LENGTH", "POLICY", "ENABLE", "DISABLE", "REQUIRE",
                        "RESET", "EXPIR", "_URL", "_PATH", "_HOST", "_PORT", "_USER", "_KEY_ID"]
        return isPassword && !excluded.contains { upper.contains($0) }
    }

    /// A value that reads as a fixed password: not empty, no variable, not a switch or a path.
    static func isFixedSecret(_ text: String) -> Bool {
        guard !text.isEmpty, !text.contains("$"), !text.hasPrefix("/") else { return false }
        return !["yes", "no", "true", "false", "on", "off", "0", "1"].contains(text.lowercased())
    }

    /// Where `value` stands inside some other text of the services, if anywhere (whole values of other keys are
    /// coincidences, such as a user name equal to the password, and are left alone).
    private static func occurrence(of value: String, in services: [ServiceDraft], outside uses: Set<String>) -> String? {
        for (index, service) in services.enumerated() {
            for key in service.values.keys.sorted() {
                guard let node = service.values[key] else { continue }
                if key == "environment" {
                    for (name, setting) in node.entries ?? [] where !uses.contains("\(index)/\(name)") {
                        if let text = setting.text, text != value, text.contains(value) {
                            return "services.\(service.name).environment.\(name)"
                        }
                    }
                } else if contains(value, in: node) {
                    return "services.\(service.name).\(key)"
                }
            }
            if service.ports.contains(where: { $0.text.contains(value) }) { return "services.\(service.name).ports" }
        }
        return nil
    }

    private static func contains(_ value: String, in node: Node) -> Bool {
        switch node {
        case .scalar(let scalar): return scalar.string.contains(value)
        case .sequence(let sequence): return sequence.contains { contains(value, in: $0) }
        case .mapping(let mapping): return mapping.contains { contains(value, in: $0.key) || contains(value, in: $0.value) }
        case .alias: return false
        }
    }

    private static func setting(_ key: String, to value: String, in environment: Node?) -> Node {
        .map((environment?.entries ?? []).map { ($0.key, $0.key == key ? Node.str(value) : $0.value) })
    }
}
