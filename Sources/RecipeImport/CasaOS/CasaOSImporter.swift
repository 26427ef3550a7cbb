import Foundation
import Yams

/// CasaOS: one `docker-compose.yml` whose top-level `x-casaos` holds the metadata (titles by locale, category,
/// architectures, the main service and its `port_map`) and whose services carry `x-casaos` descriptions.
enum CasaOSImporter {
    /// The keys of the top-level `x-casaos` read here.
    private static let readKeys: Set<String> = [
        "id", "store_app_id", "main", "index", "port_map", "scheme", "title", "tagline", "description", "category",
        "architectures", "icon", "version", "website", "repo", "tips",
    ]
    /// Store presentation and bookkeeping.
    private static let bookkeeping: Set<String> = [
        "thumbnail", "screenshot_link", "update_at", "release_notes", "author", "developer", "support", "docs", "project_url",
    ]

    static func importApp(_ folder: AppFolder) throws(ImportError) -> ImportResult {
        guard let composeName = RecipeImporter.composeFileName(in: folder) else {
            throw ImportError(.missingFile, file: folder.shown("docker-compose.yml"), message: "missing")
        }
        let file = try SourceFile.load(composeName, in: folder)
        let context = ImportContext(store: .casaos)
        guard let store = file.root.value("x-casaos"), store.entries != nil else {
            throw file.problem("x-casaos is not a mapping", at: file.root.value("x-casaos"))
        }
        let storeID = file.root.string("name") ?? store.string("store_app_id") ?? store.string("id").map { $0.split(separator: ".").last.map(String.init) ?? $0 }
        guard let storeID, !StoreMetadata.recipeID(storeID).isEmpty else {
            throw file.problem("has no app id: neither a top-level name nor x-casaos.store_app_id or x-casaos.id", at: file.root)
        }
        let id = StoreMetadata.recipeID(storeID)
        let services = try ImportAssembly.services(of: file)
        let mainName = store.string("main").flatMap { main in services.first { $0.name == main }?.name } ?? services.first?.name ?? ""
        if let main = store.string("main"), main != mainName {
            context.drop("\(file.name): x-casaos.main", "names no service (\(main)); the first service is the main one")
        }
        let portMap = store.string("port_map")
        let mainNode = services.first { $0.name == mainName }?.value
        context.webPortDefault = WebPort.number(portMap.flatMap { Interpolation.hasVariables($0) ? nil : $0 })
        if let label = portLabel(of: mainNode, portMap: portMap) { context.webPortLabel = label }
        context.resolve = { variable in
            switch variable {
            case "AppID": .template("${deployment.name}")
            case "WEBUI_PORT": .webPort
            default: nil
            }
        }
        context.hostAliases = ImportAssembly.containerNames(of: services)

        let name = StoreMetadata.localized(store.value("title")) ?? storeID
        let description = StoreMetadata.localized(store.value("description"))?.trimmingCharacters(in: .whitespacesAndNewlines)
        let tagline = StoreMetadata.localized(store.value("tagline")) ?? description ?? name
        let mainImage = mainNode?.string("image")
        var draft = RecipeDraft(
            id: id, name: name,
            tagline: StoreMetadata.tagline(tagline, at: "\(file.name): x-casaos.tagline", context: context),
            description: description?.isEmpty == false ? description : nil,
            category: store.string("category").flatMap(StoreMetadata.category) ?? "other",
            icon: StoreMetadata.url(store.string("icon"), at: "\(file.name): x-casaos.icon", context: context),
            homepage: StoreMetadata.url(store.string("website"), at: "\(file.name): x-casaos.website", context: context),
            source: StoreMetadata.url(store.string("repo"), at: "\(file.name): x-casaos.repo", context: context),
            version: store.string("version") ?? imageTag(mainImage) ?? "latest",
            architectures: StoreMetadata.architectures(store.value("architectures")?.items?.compactMap(\.text),
                                                       at: "\(file.name): x-casaos.architectures", context: context))
        if let category = store.string("category"), StoreMetadata.category(category) == nil, category.lowercased() != "other", category.lowercased() != "others" {
            context.drop("\(file.name): x-casaos.category", "\(category): none of our categories fits; the recipe says other")
        }
        if let tips = store.value("tips") {
            draft.notes = StoreMetadata.localized(tips.value("before_install")).map(ImportContext.escape)
            for (key, _) in tips.entries ?? [] where key != "before_install" {
                context.drop("\(file.name): x-casaos.tips.\(key)", "a recipe has notes for after deploying only")
            }
        }
        noteStoreKeys(store, file: file.name, context: context)

        var rules = ComposeRules(file: file.name)
        rules.dataDirectory = dataDirectory
        rules.consumedServiceKeys = ["x-casaos"]
        let converter = ComposeConverter(context: context, rules: rules, serviceNames: Set(services.map(\.name)))
        converter.convertNetworks(file.root.value("networks"))
        var drafts: [ServiceDraft] = []
        for (serviceName, node) in services {
            drafts.append(converter.convertService(name: serviceName, node))
            if let described = node.value("x-casaos") {
                let kinds = (described.entries ?? []).map(\.key).joined(separator: ", ")
                context.drop("\(file.name): services.\(serviceName).x-casaos", "descriptions (\(kinds)) CasaOS shows in its settings form; a recipe has no place for them")
            }
            noteStorageFolders(node, service: serviceName, file: file.name, context: context)
        }
        converter.convertVolumes(file.root.value("volumes"))
        ImportAssembly.noteTopLevel(of: file, consumed: ["x-casaos"], context: context)

        let component = converter.finish(services: drafts)
        var finished = component
        if let index = finished.services.firstIndex(where: { $0.name == mainName }) {
            // Without port_map, the main service's first published TCP port is the web port.
            let storePort = portMap.flatMap { Interpolation.hasVariables($0) ? nil : $0 }
                ?? finished.services[index].ports.first { $0.proto == nil && WebPort.number($0.published) != nil }?.published
            if context.webPortDefault == nil { context.webPortDefault = WebPort.number(storePort) }
            let target = mainTarget(of: finished.services[index], publishedOn: storePort)
            if let port = WebPort.attach(to: &finished.services[index], containerPort: target, storePort: storePort, context: context) {
                var path = store.string("index") ?? "/"
                if !path.hasPrefix("/") { path = "/" + path }
                draft.web = WebDraft(service: mainName, port: port, path: path, scheme: store.string("scheme") == "https" ? "https" : "http")
            }
        }
        if draft.web == nil {
            context.drop("\(file.name): x-casaos.port_map", "no published port of the main service is the web port; the recipe has no web entry")
        }
        return try ImportAssembly.finish(draft, component: finished, composeFile: file.name, context: context)
    }

    /// The path below `/DATA/AppData/<app>` of a mount source, nil when it is not there.
    static func dataDirectory(_ source: String) -> String? {
        let prefix = "/DATA/AppData/"
        guard source.hasPrefix(prefix) else { return nil }
        let rest = source.dropFirst(prefix.count).split(separator: "/", omittingEmptySubsequences: true)
        guard !rest.isEmpty else { return nil }
        return rest.dropFirst().joined(separator: "/")
    }

    /// The container port the main service publishes on `port_map`: with it, the web port keeps its target even
    /// when `port_map` is a variable.
    private static func mainTarget(of service: ServiceDraft, publishedOn storePort: String?) -> String? {
        if let storePort, let port = service.ports.first(where: { $0.published == storePort && $0.proto == nil }) { return port.target }
        return nil
    }

    /// The label CasaOS shows for the web port (`x-casaos.ports` of the main service).
    private static func portLabel(of main: Node?, portMap: String?) -> String? {
        guard let main, let portMap else { return nil }
        let published = (main.value("ports")?.items ?? []).compactMap { item -> (String, String)? in
            if let text = item.text {
                let parts = Interpolation.split(text, on: ":")
                return parts.count >= 2 ? (parts[parts.count - 2], String(parts[parts.count - 1].prefix { $0 != "/" })) : nil
            }
            guard let target = item.value("target")?.text, let published = item.value("published")?.text else { return nil }
            return (published, target)
        }
        guard let target = published.first(where: { $0.0 == portMap })?.1 else { return nil }
        let described = main.value("x-casaos")?.value("ports")?.items?.first { $0.value("container")?.text == target }
        return StoreMetadata.localized(described?.value("description"))
    }

    private static func imageTag(_ image: String?) -> String? {
        guard let image, !Interpolation.hasVariables(image) else { return nil }
        let name = image.split(separator: "@").first.map(String.init) ?? image
        guard let colon = name.lastIndex(of: ":"), !name[name.index(after: colon)...].contains("/") else { return nil }
        return String(name[name.index(after: colon)...])
    }

    /// Bind mounts of CasaOS's storage outside the app's data (`/DATA/Media`) stay bind mounts: noted, since the
    /// folder must exist on whatever device runs the app.
    private static func noteStorageFolders(_ node: Node, service: String, file: String, context: ImportContext) {
        for (index, item) in (node.value("volumes")?.items ?? []).enumerated() {
            let source = item.text.map { Interpolation.split($0, on: ":")[0] } ?? item.string("source") ?? ""
            if source.hasPrefix("/DATA/"), dataDirectory(source) == nil {
                context.drop("\(file): services.\(service).volumes[\(index)]",
                             "\(source) is a folder of CasaOS's storage; it stays a bind mount, so it must exist on the device that runs the app")
            }
        }
    }

    private static func noteStoreKeys(_ store: Node, file: String, context: ImportContext) {
        var bookkept: [String] = []
        for (key, _) in store.entries ?? [] where !readKeys.contains(key) {
            let place = "\(file): x-casaos.\(key)"
            if bookkeeping.contains(key) {
                bookkept.append(key)
            } else if key == "pre-install-cmd" || key == "post-install-cmd" {
                context.drop(place, "a command CasaOS runs around installing; a recipe runs no scripts")
            } else if key == "hostname" {
                context.drop(place, "the host name CasaOS opens the app on; the web entry opens the device's address")
            } else {
                context.drop(place, "not a field a recipe carries")
            }
        }
        if !bookkept.isEmpty {
            context.drop("\(file): x-casaos.\(bookkept.joined(separator: ", "))", "store presentation and bookkeeping; a recipe has no such fields")
        }
    }
}
