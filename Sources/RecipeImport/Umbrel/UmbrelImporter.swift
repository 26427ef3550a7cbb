import Foundation
import Yams

/// Umbrel: `umbrel-app.yml` (the manifest) beside `docker-compose.yml`, whose `app_proxy` service names the web
/// service (`APP_HOST`) and its port (`APP_PORT`); values come from Umbrel (`${APP_DATA_DIR}`, `${APP_SEED}`,
/// `${APP_PASSWORD}`, …) and from the app's `exports.sh`.
enum UmbrelImporter {
    /// The manifest keys read here.
    private static let readKeys: Set<String> = [
        "id", "name", "tagline", "description", "category", "version", "port", "path", "website", "repo", "icon",
        "dependencies", "defaultUsername", "defaultPassword", "deterministicPassword",
    ]
    private static let bookkeeping: Set<String> = [
        "manifestVersion", "gallery", "releaseNotes", "submitter", "submission", "support", "developer",
    ]

    static func importApp(_ folder: AppFolder) throws(ImportError) -> ImportResult {
        let manifest = try SourceFile.load(folder.has("umbrel-app.yml") ? "umbrel-app.yml" : "umbrel-app.yaml", in: folder)
        let root = manifest.root
        let context = ImportContext(store: .umbrel)
        guard let storeID = root.string("id"), !StoreMetadata.recipeID(storeID).isEmpty else {
            throw manifest.problem("has no \"id\" (an Umbrel app names its id in umbrel-app.yml)", at: root)
        }
        guard let composeName = RecipeImporter.composeFileName(in: folder) else {
            throw ImportError(.missingFile, file: folder.shown("docker-compose.yml"),
                              message: "missing: an Umbrel app has docker-compose.yml beside umbrel-app.yml")
        }
        let compose = try SourceFile.load(composeName, in: folder)
        let id = StoreMetadata.recipeID(storeID)
        let storePort = root.integer("port")
        context.webPortDefault = storePort

        let exports = readExports(folder, context: context)
        context.resolve = { variable in
            switch variable {
            case "APP_PASSWORD": return .secret(context.secret("APP_PASSWORD"))
            case "APP_SEED": return .secret(context.secret("APP_SEED", length: 64, charset: "hex"))
            case "APP_DOMAIN", "DEVICE_DOMAIN_NAME": return .template("${deployment.domain}")
            default: break
            }
            switch exports[variable] {
            case .constant(let value)?:
                if let storePort, value == String(storePort) { return .webPort }
                return .constant(value, why: nil)
            case .derived?:
                return .secret(context.secret(ImportContext.variableName(variable), length: 64, charset: "hex"))
            case .computed?:
                return .constant("", why: "exports.sh computes \(variable) with shell commands, which a recipe cannot run; left empty")
            case nil:
                return nil
            }
        }

        let allServices = try ImportAssembly.services(of: compose)
        var aliases = ImportAssembly.containerNames(of: allServices)
        for (name, node) in allServices {
            aliases["\(storeID)_\(name)_1"] = name
            aliases["\(storeID)-\(name)-1"] = name
            // Older apps reach each other by fixed addresses: `networks.default.ipv4_address: $APP_X_IP`.
            for (_, settings) in node.value("networks")?.entries ?? [] {
                if let address = settings.string("ipv4_address") { aliases[address] = name }
            }
        }
        let proxy = allServices.first { $0.name == "app_proxy" }?.value
        let kept = allServices.filter { name, node in
            if name == "app_proxy" { return false }
            if node.string("image")?.hasPrefix("getumbrel/tor") == true {
                context.drop("\(compose.name): services.\(name)", "Umbrel's Tor hidden service for the app; a recipe has none")
                return false
            }
            return true
        }
        guard !kept.isEmpty else { throw compose.problem("has no services besides Umbrel's app_proxy", at: compose.root.value("services")) }
        context.hostAliases = aliases.filter { key, _ in !Interpolation.hasVariables(key) }
        let web = proxyTarget(proxy, services: kept, aliases: aliases, exports: exports, file: compose.name, context: context)

        var draft = RecipeDraft(
            id: id, name: root.string("name") ?? storeID,
            tagline: StoreMetadata.tagline(root.string("tagline") ?? root.string("name") ?? storeID, at: "\(manifest.name): tagline", context: context),
            description: root.string("description")?.trimmingCharacters(in: .whitespacesAndNewlines),
            category: category(root, file: manifest.name, context: context),
            icon: StoreMetadata.url(root.string("icon"), at: "\(manifest.name): icon", context: context),
            homepage: StoreMetadata.url(root.string("website"), at: "\(manifest.name): website", context: context),
            source: StoreMetadata.url(root.string("repo"), at: "\(manifest.name): repo", context: context),
            version: root.string("version") ?? "latest",
            architectures: StoreMetadata.architectures(nil, at: "\(manifest.name)", context: context))
        if root.string("version") == nil { context.drop("\(manifest.name): version", "missing; the recipe says \"latest\"") }
        for (index, dependency) in (root.value("dependencies")?.items ?? []).enumerated() {
            context.drop("\(manifest.name): dependencies[\(index)]",
                         "needs the Umbrel app \(dependency.text ?? "?"); a recipe cannot depend on another app: deploy it separately and fill in its address by hand")
        }
        noteManifestKeys(root, file: manifest.name, context: context)
        noteHooks(folder, context: context)

        var rules = ComposeRules(file: compose.name)
        rules.dataDirectory = RuntipiImporter.dataDirectory
        let converter = ComposeConverter(context: context, rules: rules, serviceNames: Set(kept.map(\.name)))
        converter.convertNetworks(compose.root.value("networks"))
        let drafts = kept.map { converter.convertService(name: $0.name, $0.value) }
        converter.convertVolumes(compose.root.value("volumes"))
        ImportAssembly.noteTopLevel(of: compose, consumed: [], context: context)

        var component = converter.finish(services: drafts)
        if let web, let index = component.services.firstIndex(where: { $0.name == web.service }) {
            if let port = WebPort.attach(to: &component.services[index], containerPort: web.port, storePort: storePort.map(String.init), context: context) {
                var path = root.string("path") ?? "/"
                if !path.hasPrefix("/") { path = "/" + path }
                draft.web = WebDraft(service: web.service, port: port, path: context.rewrite(path, at: "\(manifest.name): path"))
            }
        }
        if draft.web == nil {
            context.drop("\(compose.name): services.app_proxy", "no APP_HOST and APP_PORT name the web service; the recipe has no web entry")
        }
        draft.notes = notes(root, context: context)
        return try ImportAssembly.finish(draft, component: component, composeFile: compose.name, context: context)
    }

    /// The service and container port `app_proxy` forwards to; the proxy itself is noted as dropped.
    private static func proxyTarget(_ proxy: Node?, services: [(name: String, value: Node)], aliases: [String: String],
                                    exports: [String: UmbrelExports.Value], file: String,
                                    context: ImportContext) -> (service: String, port: String?)? {
        guard let proxy else { return nil }
        let place = "\(file): services.app_proxy"
        context.drop(place, "Umbrel's own proxy in front of the app (its login and routing); its APP_HOST and APP_PORT became the web entry")
        var environment: [(String, String)] = []
        if let entries = proxy.value("environment")?.entries {
            environment = entries.map { ($0.key, $0.value.text ?? "") }
        } else {
            for item in proxy.value("environment")?.items ?? [] {
                let parts = (item.text ?? "").split(separator: "=", maxSplits: 1).map(String.init)
                if parts.count == 2 { environment.append((parts[0], parts[1])) }
            }
        }
        func resolved(_ text: String) -> String {
            guard let name = Interpolation.names(in: text).first, case .constant(let value)? = exports[name] else { return text }
            return value
        }
        var host: String?
        var port: String?
        for (key, value) in environment {
            switch key {
            case "APP_HOST": host = value
            case "APP_PORT": port = resolved(value)
            default:
                context.drop("\(place).environment.\(key)", key.hasPrefix("PROXY_AUTH")
                    ? "Umbrel's login in front of the app; a recipe's web entry has none"
                    : "a setting of Umbrel's proxy")
            }
        }
        let names = Set(services.map(\.name))
        let service: String? = host.flatMap { host in
            if names.contains(host) { return host }
            return aliases[host] ?? aliases[resolved(host)]
        }
        if let service { return (service, port.flatMap { Interpolation.hasVariables($0) ? nil : $0 }) }
        // A host-network service is reached on the device's own address, which is what APP_HOST then says.
        let fallback = services.first { $0.value.string("network_mode") == "host" }?.name
            ?? services.first { ["web", "app", "server", "main"].contains($0.name) }?.name ?? services[0].name
        context.drop("\(place).environment.APP_HOST", "\(host ?? "missing"): names no service of the app; the web entry is the service \(fallback)")
        return (fallback, port.flatMap { Interpolation.hasVariables($0) ? nil : $0 })
    }

    private static func readExports(_ folder: AppFolder, context: ImportContext) -> [String: UmbrelExports.Value] {
        guard folder.has("exports.sh"), let text = try? folder.read("exports.sh") else { return [:] }
        let (values, other) = UmbrelExports.read(text)
        let why = other > 0
            ? "a shell script Umbrel runs before the app starts; its plain exports were read, the other \(other) line(s) of shell were not run"
            : "a shell script Umbrel runs before the app starts; its exports were read, nothing was run"
        context.drop("exports.sh", why)
        return values
    }

    private static func noteHooks(_ folder: AppFolder, context: ImportContext) {
        for hook in folder.files(under: "hooks") {
            context.drop("hooks/\(hook)", "a script Umbrel runs around the app's life; a recipe runs no scripts")
        }
    }

    private static func category(_ root: Node, file: String, context: ImportContext) -> String {
        guard let category = root.string("category") else { return "other" }
        if let ours = StoreMetadata.category(category) { return ours }
        context.drop("\(file): category", "\(category): none of our categories fits; the recipe says other")
        return "other"
    }

    /// What to tell the user after deploying: the login Umbrel shows.
    private static func notes(_ root: Node, context: ImportContext) -> String? {
        let user = root.string("defaultUsername").flatMap { $0.isEmpty ? nil : ImportContext.escape($0) }
        var password: String?
        if root.flag("deterministicPassword") == true {
            password = "${secret.\(context.secret("APP_PASSWORD"))}"
        } else if let fixed = root.string("defaultPassword"), !fixed.isEmpty {
            password = ImportContext.escape(fixed)
        }
        switch (user, password) {
        case (let user?, let password?): return "Log in as \(user) with the password \(password)."
        case (let user?, nil): return "Log in as \(user)."
        case (nil, let password?): return "The password is \(password)."
        case (nil, nil): return nil
        }
    }

    private static func noteManifestKeys(_ root: Node, file: String, context: ImportContext) {
        var bookkept: [String] = []
        for (key, value) in root.entries ?? [] where !readKeys.contains(key) {
            let place = "\(file): \(key)"
            switch key {
            case _ where bookkeeping.contains(key): bookkept.append(key)
            case "torOnly":
                if value.flag("torOnly") == true || root.flag("torOnly") == true {
                    context.drop(place, "Umbrel serves the app over Tor only; a recipe serves it on the device's address")
                }
            case "permissions": context.drop(place, "Umbrel's grants to shared folders and devices; a recipe has none (mount them by hand)")
            case "widgets": context.drop(place, "widgets on Umbrel's home screen; a recipe has none")
            case "backupIgnore": context.drop(place, "paths Umbrel's backups leave out; a recipe has no backup settings")
            case "implements": context.drop(place, "what the app offers other Umbrel apps; a recipe has no such field")
            default: context.drop(place, "not a field a recipe carries")
            }
        }
        if !bookkept.isEmpty {
            context.drop("\(file): \(bookkept.joined(separator: ", "))", "store presentation and bookkeeping; a recipe has no such fields")
        }
    }
}
