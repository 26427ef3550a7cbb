import Foundation
import Yams

/// Runtipi: `config.json` (metadata and form fields) beside `docker-compose.json` (dynamic compose) or
/// `docker-compose.yml` (with `x-runtipi`, or the older plain form with `${APP_PORT}` and Traefik labels).
enum RuntipiImporter {
    /// The keys of `config.json` read here; others are noted.
    private static let readKeys: Set<String> = [
        "id", "name", "short_desc", "description", "categories", "version", "supported_architectures", "website", "source",
        "port", "form_fields", "https", "no_gui", "url_suffix", "dynamic_config",
    ]
    /// Keys about the store's own bookkeeping.
    private static let bookkeeping: Set<String> = [
        "$schema", "available", "deprecated", "tipi_version", "min_tipi_version", "created_at", "updated_at", "force_pull",
    ]

    static func importApp(_ folder: AppFolder) throws(ImportError) -> ImportResult {
        let config = try SourceFile.load("config.json", in: folder)
        let root = config.root
        let context = ImportContext(store: .runtipi)
        guard let storeID = root.string("id"), !StoreMetadata.recipeID(storeID).isEmpty else {
            throw config.problem("has no \"id\" (a Runtipi app names its id in config.json)", at: root)
        }
        let id = StoreMetadata.recipeID(storeID)
        let name = root.string("name") ?? storeID
        let scheme = root.flag("https") == true ? "https" : "http"
        let storePort = root.integer("port")
        context.webPortDefault = storePort

        var draft = RecipeDraft(
            id: id, name: name,
            tagline: StoreMetadata.tagline(root.string("short_desc") ?? name, at: "config.json: short_desc", context: context),
            description: description(root, folder: folder),
            category: category(root, context: context),
            homepage: StoreMetadata.url(root.string("website"), at: "config.json: website", context: context),
            source: StoreMetadata.url(root.string("source"), at: "config.json: source", context: context),
            version: root.string("version") ?? "latest",
            architectures: StoreMetadata.architectures(root.value("supported_architectures")?.items?.compactMap(\.text),
                                                       at: "config.json: supported_architectures", context: context))
        if root.string("version") == nil { context.drop("config.json: version", "missing; the recipe says \"latest\"") }
        noteConfigKeys(root, context: context)
        if folder.has("metadata/logo.jpg") || folder.has("metadata/logo.png") {
            context.drop("metadata/logo", "a picture in the store's folder; a recipe's icon is a URL")
        }

        let fields = RuntipiFormFields.read(config, context: context)
        context.resolve = { variable in
            if let binding = fields[variable] { return binding }
            switch variable {
            case "APP_PORT": return .webPort
            case "APP_DOMAIN", "LOCAL_DOMAIN": return .template("${deployment.domain}")
            case "APP_ID": return .template("${deployment.name}")
            case "APP_PROTOCOL":
                return .constant(scheme, why: "Runtipi sets http or https by how the app is exposed; the recipe's web scheme \(scheme) stands")
            case "APP_EXPOSED":
                return .constant("false", why: "Runtipi's switch for its own reverse proxy; it became false")
            default: return nil
            }
        }

        let read = try readCompose(folder, appID: id, context: context)
        let component = read.converter.finish(services: read.services)
        var services = component.services
        var web: WebDraft?
        if root.flag("no_gui") == true {
            context.drop("config.json: no_gui", "the app has no web page; the recipe has no web entry")
        } else if let main = read.main, let index = services.firstIndex(where: { $0.name == main }) {
            if let port = WebPort.attach(to: &services[index], containerPort: read.internalPort, storePort: storePort.map(String.init), context: context) {
                let suffix = root.string("url_suffix").map { $0.hasPrefix("/") ? $0 : "/" + $0 } ?? "/"
                web = WebDraft(service: main, port: port, path: suffix, scheme: scheme)
            }
        }
        if web == nil, root.flag("no_gui") != true {
            context.drop("config.json: port", "no service says which port is its web page; the recipe has no web entry")
        }
        draft.web = web
        var finished = component
        finished.services = services
        return try ImportAssembly.finish(draft, component: finished, composeFile: read.file, context: context)
    }

    private struct ReadCompose {
        var file: String
        var converter: ComposeConverter
        var services: [ServiceDraft]
        var main: String?
        var internalPort: String?
    }

    /// The compose file: `docker-compose.yml` with `x-runtipi`, else `docker-compose.json`, else the plain yml.
    private static func readCompose(_ folder: AppFolder, appID: String, context: ImportContext) throws(ImportError) -> ReadCompose {
        var yaml: SourceFile?
        if let yamlName = RecipeImporter.composeFileName(in: folder) { yaml = try SourceFile.load(yamlName, in: folder) }
        if let yaml, yaml.root.value("x-runtipi") != nil {
            if folder.has("docker-compose.json") {
                context.drop("docker-compose.json", "not read: \(yaml.name) with x-runtipi describes the same app in Runtipi's current format")
            }
            return try composeYAML(yaml, appID: appID, context: context)
        }
        if folder.has("docker-compose.json") {
            let json = try SourceFile.load("docker-compose.json", in: folder)
            if let yaml { context.drop(yaml.name, "not read: docker-compose.json (dynamic compose) describes the same app") }
            return try dynamicCompose(json, context: context)
        }
        guard let yaml else {
            throw ImportError(.missingFile, file: folder.shown("docker-compose.yml"),
                              message: "missing: a Runtipi app has docker-compose.yml or docker-compose.json beside config.json")
        }
        return try composeYAML(yaml, appID: appID, context: context)
    }

    private static func rules(file: String) -> ComposeRules {
        var rules = ComposeRules(file: file)
        rules.dataDirectory = dataDirectory
        rules.isStoreLabel = { $0.hasPrefix("traefik.") || $0.hasPrefix("runtipi.") }
        rules.storeLabelWhy = "Runtipi's reverse-proxy routing and bookkeeping; the recipe's web entry does the routing"
        rules.storeNetworks = ["tipi_main_network"]
        rules.storeNetworkWhy = "Runtipi's network shared by all its apps; the services stay on the stack's own network"
        rules.consumedServiceKeys = ["x-runtipi"]
        return rules
    }

    /// The path below `${APP_DATA_DIR}` of a mount source, nil when it is not there.
    static func dataDirectory(_ source: String) -> String? {
        for prefix in ["${APP_DATA_DIR}", "$APP_DATA_DIR"] where source.hasPrefix(prefix) {
            let rest = source.dropFirst(prefix.count)
            if rest.isEmpty { return "" }
            if rest.hasPrefix("/") { return String(rest.dropFirst()) }
        }
        return nil
    }

    private static func composeYAML(_ file: SourceFile, appID: String, context: ImportContext) throws(ImportError) -> ReadCompose {
        let services = try ImportAssembly.services(of: file)
        context.hostAliases = ImportAssembly.containerNames(of: services)
        let converter = ComposeConverter(context: context, rules: rules(file: file.name), serviceNames: Set(services.map(\.name)))
        converter.convertNetworks(file.root.value("networks"))
        var drafts: [ServiceDraft] = []
        var main: String?
        var internalPort: String?
        for (name, node) in services {
            drafts.append(converter.convertService(name: name, node))
            let extensionNode = node.value("x-runtipi")
            if extensionNode?.flag("is_main") == true, main == nil {
                main = name
                internalPort = extensionNode?.value("internal_port")?.text
            }
            if extensionNode?.flag("add_to_main_network") == true {
                context.drop("\(file.name): services.\(name).x-runtipi.add_to_main_network",
                             "Runtipi's network shared across apps; the service stays on the stack's own network")
            }
        }
        converter.convertVolumes(file.root.value("volumes"))
        if let runtipi = file.root.value("x-runtipi") {
            for (key, _) in runtipi.entries ?? [] where key != "schema_version" {
                context.drop("\(file.name): x-runtipi.\(key)", key == "overrides"
                    ? "per-architecture changes to the services; a recipe runs the same services on every architecture"
                    : "not a Runtipi setting a recipe carries")
            }
        }
        ImportAssembly.noteTopLevel(of: file, consumed: ["x-runtipi"], context: context)
        if main == nil {
            // The older form publishes the web port as ${APP_PORT}; the service that does is the main one.
            for (name, node) in services {
                for item in node.value("ports")?.items ?? [] {
                    let text = item.text ?? item.string("published") ?? ""
                    guard Interpolation.names(in: text).contains("APP_PORT") else { continue }
                    main = main ?? name
                    if let target = item.string("target") ?? Interpolation.split(text, on: ":").last {
                        internalPort = internalPort ?? String(target.prefix { $0 != "/" })
                    }
                }
            }
        }
        if main == nil {
            main = services.first { $0.name == appID }?.name ?? services.first?.name
        }
        return ReadCompose(file: file.name, converter: converter, services: drafts, main: main, internalPort: internalPort)
    }

    private static func dynamicCompose(_ file: SourceFile, context: ImportContext) throws(ImportError) -> ReadCompose {
        let services = try RuntipiDynamicCompose.services(of: file, context: context)
        let pairs = services.map { (name: $0.name, value: $0.compose) }
        context.hostAliases = ImportAssembly.containerNames(of: pairs)
        let converter = ComposeConverter(context: context, rules: rules(file: file.name), serviceNames: Set(services.map(\.name)))
        let drafts = services.map { converter.convertService(name: $0.name, $0.compose) }
        let main = services.first(where: \.isMain) ?? services.first { $0.internalPort != nil }
        return ReadCompose(file: file.name, converter: converter, services: drafts, main: main?.name, internalPort: main?.internalPort)
    }

    private static func description(_ root: Node, folder: AppFolder) -> String? {
        if let markdown = try? folder.read("metadata/description.md") {
            let trimmed = markdown.trimmingCharacters(in: .whitespacesAndNewlines)
            if !trimmed.isEmpty { return trimmed }
        }
        let text = root.string("description")?.trimmingCharacters(in: .whitespacesAndNewlines)
        return text?.isEmpty == false ? text : nil
    }

    private static func category(_ root: Node, context: ImportContext) -> String {
        let categories = root.value("categories")?.items?.compactMap(\.text) ?? []
        let chosen = categories.first { StoreMetadata.category($0) != nil }
        for other in categories where other != chosen {
            context.drop("config.json: categories", "\(other): a recipe has one category")
        }
        return chosen.flatMap(StoreMetadata.category) ?? "other"
    }

    private static func noteConfigKeys(_ root: Node, context: ImportContext) {
        var bookkept: [String] = []
        for (key, value) in root.entries ?? [] where !readKeys.contains(key) {
            let place = "config.json: \(key)"
            switch key {
            case _ where bookkeeping.contains(key): bookkept.append(key)
            case "author": context.drop(place, "who packaged the app for Runtipi; a recipe's maintainer is whoever keeps the recipe")
            case "exposable", "force_expose":
                if value.flag(key) == true || key == "exposable" {
                    context.drop(place, "Runtipi's switch for exposing the app on a domain; the recipe's web entry is what the reverse proxy routes")
                }
            case "uid", "gid": context.drop(place, "the owner Runtipi gives the data folder; named volumes belong to the image's user")
            case "generate_vapid_keys":
                context.drop(place, "Runtipi makes VAPID keys for web push; a recipe cannot make a key pair (VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY stay empty)")
            default: context.drop(place, "not a field a recipe carries")
            }
        }
        if !bookkept.isEmpty {
            context.drop("config.json: \(bookkept.joined(separator: ", "))", "the store's bookkeeping; a recipe has no such fields")
        }
    }
}
