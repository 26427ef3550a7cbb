import Protocol

extension RecipeLoader {
    /// The kinds of dump a recipe may declare.
    enum DumpKind: String, CaseIterable {
        case postgres, mysql, mariadb, sqlite, command
    }

    /// A component's `backup:` section: the consistency mode, the dumps (`dump` mode) and the hooks.
    static func readBackup(_ tree: ComposeTree, compose: ComposeTree, _ reader: inout TreeReader) -> BackupPlan? {
        guard reader.map(tree, allowed: ["mode", "dumps", "hooks"]) != nil else { return nil }
        let services = Set(compose["services"]?.entries?.map(\.key) ?? [])
        let mode = tree["mode"].flatMap { reader.choice($0, BackupMode.self, what: "a backup mode") } ?? .stop
        func service(_ node: ComposeTree) -> String? {
            guard let name = reader.required(node, "service").flatMap({ reader.string($0) }) else { return nil }
            guard services.contains(name) else {
                reader.fail(node["service"] ?? node, "names no service of this component (services: \(services.sorted().joined(separator: ", ")))")
                return nil
            }
            return name
        }
        var dumps: [DumpSpec] = []
        for node in tree["dumps"].flatMap({ reader.list($0) }) ?? [] {
            guard reader.map(node, allowed: ["service", "kind", "database", "user", "path", "command", "file"]) != nil,
                  let name = service(node),
                  let kind = reader.required(node, "kind").flatMap({ reader.choice($0, DumpKind.self, what: "a dump kind") }) else { continue }
            let database = node["database"].flatMap { reader.string($0) }
            let user = node["user"].flatMap { reader.string($0) }
            let command: [String]?
            switch kind {
            case .postgres:
                let who = user.map(Self.quoted) ?? "\"${POSTGRES_USER:-postgres}\""
                let db = database.map(Self.quoted) ?? "\"${POSTGRES_DB:-${POSTGRES_USER:-postgres}}\""
                command = ["sh", "-c", "exec pg_dump -Fc -U \(who) \(db)"]
            case .mysql, .mariadb:
                // The password through the environment, never on a command line other processes can read.
                let which = database.map { "--databases \(Self.quoted($0))" } ?? "--all-databases"
                command = ["sh", "-c", "MYSQL_PWD=\"${MYSQL_ROOT_PASSWORD:-$MARIADB_ROOT_PASSWORD}\" exec \"$(command -v mysqldump || command -v mariadb-dump)\" --single-transaction --routines --events -u \(user.map(Self.quoted) ?? "root") \(which)"]
            case .sqlite:
                guard let path = reader.required(node, "path").flatMap({ reader.string($0) }) else { continue }
                command = ["sqlite3", path, ".dump"]
            case .command:
                command = reader.required(node, "command").flatMap { reader.list($0) }?.compactMap { reader.string($0) }
            }
            guard let command, !command.isEmpty else { continue }
            let file = node["file"].flatMap { reader.string($0) } ?? "\(name).\(kind == .postgres ? "pgdump" : kind == .command ? "dump" : "sql")"
            guard !file.contains("/"), !file.isEmpty else {
                reader.fail(node["file"] ?? node, "\"\(file)\" is not a file name")
                continue
            }
            dumps.append(DumpSpec(service: name, command: command, filename: file))
        }
        if mode == .dump && dumps.isEmpty { reader.fail(tree["mode"] ?? tree, "mode dump needs at least one entry in dumps") }
        if mode != .dump && !dumps.isEmpty { reader.fail(tree["dumps"] ?? tree, "dumps are taken in mode dump only") }
        var hooks: [String: [HookSpec]] = [:]
        if let node = tree["hooks"], reader.map(node, allowed: ["pre", "post"]) != nil {
            for when in ["pre", "post"] {
                for hook in node[when].flatMap({ reader.list($0) }) ?? [] {
                    guard reader.map(hook, allowed: ["service", "command"]) != nil, let name = service(hook),
                          let command = reader.required(hook, "command").flatMap({ reader.list($0) })?.compactMap({ reader.string($0) }),
                          !command.isEmpty else { continue }
                    hooks[when, default: []].append(HookSpec(service: name, command: command))
                }
            }
        }
        return BackupPlan(mode: mode, dumps: dumps, pre: hooks["pre"] ?? [], post: hooks["post"] ?? [])
    }

    /// `text` in single quotes for `sh`.
    static func quoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
