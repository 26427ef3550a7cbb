import Yams

/// The steps every importer shares after reading its store's files.
enum ImportAssembly {
    /// The services of a compose file in order (merge keys applied); a missing or empty `services` is an error.
    static func services(of file: SourceFile) throws(ImportError) -> [(name: String, value: Node)] {
        guard let node = file.root.value("services") else {
            throw file.problem("has no services", at: file.root)
        }
        guard let entries = node.entries, !entries.isEmpty else {
            throw file.problem("services is empty or not a mapping", at: node)
        }
        return entries.map { (name: $0.key, value: $0.value) }
    }

    /// Container names the services give themselves (`container_name`), by the service: the app's other services
    /// reach them by those names, which become service names.
    static func containerNames(of services: [(name: String, value: Node)]) -> [String: String] {
        var aliases: [String: String] = [:]
        for (name, value) in services {
            if let container = value.string("container_name"), !container.isEmpty, container != name,
               !Interpolation.hasVariables(container) {
                aliases[container] = name
            }
        }
        return aliases
    }

    /// Notes the top-level keys of a compose file that are not services, volumes or networks.
    static func noteTopLevel(of file: SourceFile, consumed: Set<String>, context: ImportContext) {
        for (key, _) in file.root.entries ?? [] where !["services", "volumes", "networks", "version", "name"].contains(key) && !consumed.contains(key) {
            let why = key.hasPrefix("x-")
                ? "an extension field (often YAML anchors for the services, which were applied); nothing in a recipe reads it"
                : "not in the compose subset a recipe carries (services, volumes, networks)"
            context.drop("\(file.name): \(key)", why)
        }
    }

    /// The recipe written out, with the secrets and inputs gathered, fixed passwords made secrets.
    static func finish(_ draft: RecipeDraft, component: ComponentDraft, composeFile: String, context: ImportContext) throws(ImportError) -> ImportResult {
        var draft = draft
        var component = component
        FixedPasswords.replace(in: &component.services, context: context, file: composeFile)
        draft.component = component
        draft.inputs = context.inputs
        draft.secrets = context.secrets
        if draft.web != nil && component.services.count < 2 { draft.web?.service = nil }
        let yaml: String
        do {
            yaml = try RecipeWriter.yaml(draft)
        } catch {
            throw ImportError(.content, file: composeFile, message: "the recipe could not be written as YAML: \(error)")
        }
        return ImportResult(store: context.store, id: draft.id, yaml: yaml, dropped: context.dropped)
    }
}
