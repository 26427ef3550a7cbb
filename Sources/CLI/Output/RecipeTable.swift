import Recipes

/// The `homelab recipes list` table.
public struct RecipeTable: Sendable {
    public var recipes: [RecipeSummary]
    public init(recipes: [RecipeSummary]) { self.recipes = recipes }

    public func render() -> String {
        Table(
            headers: ["ID", "NAME", "CATEGORY", "ARCH", "VERSION", "TAGLINE"],
            rows: recipes.map { recipe in
                [recipe.id, recipe.name, recipe.category.rawValue, recipe.architectures.map(\.rawValue).joined(separator: ","), recipe.version,
                 recipe.tagline]
            }
        ).render()
    }
}

/// `homelab recipes show`: the recipe's facts, its form and each component's needs.
public struct RecipeDetailView: Sendable {
    public var detail: RecipeDetail
    public init(detail: RecipeDetail) { self.detail = detail }

    public func render() -> String {
        var sections = Sections()
        let summary = detail.summary
        var fields: [(String, String)] = [("Name", summary.name), ("Tagline", summary.tagline), ("Category", summary.category.rawValue),
                                          ("Version", summary.version), ("Architectures", summary.architectures.map(\.rawValue).joined(separator: ", "))]
        if let homepage = detail.homepage { fields.append(("Homepage", homepage)) }
        if let source = detail.source { fields.append(("Source", source)) }
        fields.append(("Catalog", summary.catalog))
        sections.add(summary.id, .fields(fields))
        if let description = detail.description, !description.isEmpty {
            sections.add("Description", .lines(description.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)))
        }
        if !detail.inputs.isEmpty {
            sections.add("Inputs", .table(Table(headers: ["NAME", "TYPE", "REQUIRED", "DEFAULT", "LABEL"], rows: detail.inputs.map { input in
                [input.name, input.type.rawValue, input.required ? "yes" : "no", input.type == .password ? "-" : (input.defaultValue ?? "-"),
                 input.label ?? input.hint ?? "-"]
            })))
        }
        if !detail.secrets.isEmpty {
            sections.add("Secrets (generated per deployment)", .lines(detail.secrets.map { "\($0.name) (\($0.length) \($0.charset.rawValue))" }))
        }
        sections.add("Components", .table(Table(headers: ["NAME", "SERVICES", "RAM", "STORAGE", "CPU", "NEEDS", "PREFERS", "PUBLISHES"],
                                                rows: detail.components.map { component in
            let needs = [component.requirements.gpu ? "gpu" : nil, component.requirements.alwaysOn ? "always-on" : nil].compactMap { $0 }
            return [component.name, component.services.joined(separator: ","),
                    component.requirements.memoryBytes.map { Units.bytes(UInt64($0)) } ?? "-",
                    component.requirements.storageBytes.map { Units.bytes(UInt64($0)) } ?? "-",
                    "\(component.requirements.cpuWeight)", needs.isEmpty ? "-" : needs.joined(separator: ","),
                    component.prefer.isEmpty ? "-" : component.prefer.map(\.rawValue).joined(separator: ","),
                    component.publishes.isEmpty ? "-" : component.publishes.joined(separator: ",")]
        })))
        if let web = detail.web {
            sections.add("Web", .fields([("Open", "\(web.scheme)://DEVICE:\(web.port)\(web.path)"), ("Component", web.component)]))
        }
        return sections.render()
    }
}
