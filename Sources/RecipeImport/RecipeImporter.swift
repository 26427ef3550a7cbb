/// Converts one app of the Runtipi, CasaOS or Umbrel app stores into a recipe (`docs/importers.md`).
public enum RecipeImporter {
    /// Imports the app in the folder at `path` (or the folder of the file at `path`). The store is recognised from
    /// the files: `umbrel-app.yml` is Umbrel, `config.json` is Runtipi, a `docker-compose.yml` with a top-level
    /// `x-casaos` is CasaOS.
    ///
    /// - Returns: the recipe as YAML in our format, and a note for everything of the original it does not carry.
    /// - Throws: `ImportError` naming the file (and line) when the folder is none of the formats, a file is missing
    ///   or does not parse, or the manifest lacks its id.
    public static func importApp(at path: String) throws(ImportError) -> ImportResult {
        let folder = try AppFolder(path: path)
        switch try detect(folder) {
        case .umbrel: return try UmbrelImporter.importApp(folder)
        case .runtipi: return try RuntipiImporter.importApp(folder)
        case .casaos: return try CasaOSImporter.importApp(folder)
        }
    }

    /// Which store's format the folder holds.
    static func detect(_ folder: AppFolder) throws(ImportError) -> ImportResult.Store {
        if folder.has("umbrel-app.yml") || folder.has("umbrel-app.yaml") { return .umbrel }
        if folder.has("config.json") { return .runtipi }
        guard let compose = composeFileName(in: folder) else {
            throw ImportError(.notAnApp, file: folder.shownPath,
                              message: "not an app of the Runtipi, CasaOS or Umbrel stores: it holds none of umbrel-app.yml (Umbrel), config.json (Runtipi), docker-compose.yml (CasaOS)")
        }
        let file = try SourceFile.load(compose, in: folder)
        guard file.root.value("x-casaos") != nil else {
            throw ImportError(.notAnApp, file: file.shownPath,
                              message: "a compose file without a top-level x-casaos, and no config.json (Runtipi) or umbrel-app.yml (Umbrel) beside it: not an app of a store this command knows")
        }
        return .casaos
    }

    /// `docker-compose.yml`, or `docker-compose.yaml`, when the folder has one.
    static func composeFileName(in folder: AppFolder) -> String? {
        ["docker-compose.yml", "docker-compose.yaml"].first(where: folder.has)
    }
}
