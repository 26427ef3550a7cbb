import Foundation
import Recipes
import Testing
import Yams
@testable import RecipeImport

@Suite("Importing, whatever the store")
struct ImportGeneralTests {
    static let apps = [("runtipi", "miniflux"), ("runtipi", "homeassistant"), ("runtipi", "zigbee2mqtt"), ("runtipi", "it-tools"),
                       ("casaos", "wallabag"), ("casaos", "homeassistant"), ("casaos", "jellyfin"),
                       ("umbrel", "paperless"), ("umbrel", "home-assistant"), ("umbrel", "frigate")]

    @Test("every imported app loads with the recipe loader and keeps only keys of our compose subset",
          arguments: apps.map { "\($0.0)/\($0.1)" })
    func loadsAndStaysInSubset(app: String) throws {
        let parts = app.split(separator: "/").map(String.init)
        let imported = try Imported(parts[0], parts[1])
        let allowed = Set(RecipeWriter.serviceKeyOrder)
        for service in imported.keys("components.0.compose.services") ?? [] {
            let keys = Set(imported.keys(imported.service(service)) ?? [])
            #expect(keys.subtracting(allowed).isEmpty, "\(service) keeps \(keys.subtracting(allowed))")
        }
        #expect(Set(imported.keys("components.0.compose") ?? []).isSubset(of: ["services", "volumes", "networks"]))
        #expect(imported.recipe.components.count == 1)
        // Every note says where it stood (a file of the app) and why.
        let files = ["config.json", "docker-compose.json", "docker-compose.yml", "umbrel-app.yml", "exports.sh", "hooks/", "metadata/"]
        for note in imported.result.dropped {
            #expect(files.contains { note.what.hasPrefix($0) }, "\(note)")
            #expect(!note.why.isEmpty)
        }
    }

    @Test("importing the same app twice gives the same bytes")
    func deterministic() throws {
        for (store, app) in Self.apps {
            #expect(try Fixture.importApp(store, app).yaml == Fixture.importApp(store, app).yaml)
        }
    }

    @Test("a path to one of the app's files imports its folder")
    func pathToAFile() throws {
        let result = try RecipeImporter.importApp(at: Fixture.path("umbrel", "paperless") + "/umbrel-app.yml")
        #expect(result.id == "paperless")
    }

    @Test("a folder of none of the three formats is refused, saying what it looked for")
    func notAnApp() throws {
        let error = try #require(Fixture.importError(".", "not-an-app"))
        #expect(error.kind == .notAnApp)
        #expect(error.message.contains("umbrel-app.yml (Umbrel), config.json (Runtipi), docker-compose.yml (CasaOS)"))
    }

    @Test("a path that does not exist is refused, naming it")
    func missingPath() throws {
        let error = try #require(Fixture.importError("umbrel", "no-such-app"))
        #expect(error.kind == .notAnApp)
        #expect(error.description == Fixture.path("umbrel", "no-such-app") + ": no such file or folder")
    }

    @Test("compose interpolation is read as compose reads it")
    func interpolation() {
        #expect(Interpolation.parse("a$$b") == [.text("a$b")])
        #expect(Interpolation.parse("$TZ/x") == [.variable(.init(name: "TZ", modifier: nil, raw: "$TZ")), .text("/x")])
        #expect(Interpolation.parse("${A:-x${B}}") == [.variable(.init(name: "A", modifier: .fallback("x${B}"), raw: "${A:-x${B}}"))])
        #expect(Interpolation.parse("${A-}") == [.variable(.init(name: "A", modifier: .fallback(""), raw: "${A-}"))])
        #expect(Interpolation.parse("${A:?set it}") == [.variable(.init(name: "A", modifier: .required, raw: "${A:?set it}"))])
        #expect(Interpolation.parse("${unclosed") == [.text("${unclosed")])
        #expect(Interpolation.parse("cost: 5$") == [.text("cost: 5$")])
        #expect(Interpolation.split("${IF:-0.0.0.0}:53:53/udp", on: ":") == ["${IF:-0.0.0.0}", "53", "53/udp"])
        #expect(Interpolation.split("[::1]:80:80", on: ":") == ["[::1]", "80", "80"])
    }

    @Test("values are rewritten into our syntax: variables mapped, literal $ doubled, unknown variables noted")
    func rewriting() {
        let context = ImportContext(store: .casaos)
        context.resolve = { $0 == "AppID" ? .template("${deployment.name}") : nil }
        #expect(context.rewrite("$AppID-$$HOME-${TZ}", at: "f: x") == "${deployment.name}-$$HOME-${deployment.timezone}")
        #expect(context.rewrite("sh -c 'echo $$1'", at: "f: x") == "sh -c 'echo $$1'")
        #expect(context.rewrite("${NOPE:-fallback}", at: "f: y") == "fallback")
        #expect(context.rewrite("a${NOPE}b", at: "f: z") == "ab")
        #expect(context.dropped.map(\.what) == ["f: y", "f: z"])
        #expect(context.dropped[1].why.contains("left empty"))
    }

    @Test("a fixed password that also stands inside other text is kept and noted, not replaced")
    func fixedPasswordKept() {
        let context = ImportContext(store: .casaos)
        var services = [
            ServiceDraft(name: "app", values: ["environment": .map([("DB_PASSWORD", .str("hunter2")),
                                                                    ("DB_URL", .str("mysql://app:hunter2@db/app"))])]),
            ServiceDraft(name: "db", values: ["environment": .map([("MYSQL_PASSWORD", .str("hunter2")),
                                                                   ("MYSQL_ALLOW_EMPTY_PASSWORD", .str("no"))])]),
        ]
        FixedPasswords.replace(in: &services, context: context, file: "docker-compose.yml")
        #expect(context.secrets.isEmpty)
        #expect(services[1].values["environment"]?.entries?.first?.value.text == "hunter2")
        #expect(context.dropped.count == 2)
        #expect(context.dropped.allSatisfy { $0.why.contains("services.app.environment.DB_URL") })
    }

    @Test("strings that would read back as numbers, booleans or null are quoted")
    func quoting() throws {
        for text in ["8080", "1.10", "yes", "off", "null", "", "~", "1:30", "0x1F", "2024-01-01", "<<", "y"] {
            let yaml = try Yams.serialize(node: .map([("value", .str(text))]))
            let back = try #require(try Yams.compose(yaml: yaml))
            #expect(back["value"]?.tagName == .str, "\(text) came back as \(yaml)")
            #expect(back["value"]?.string == text)
        }
        #expect(!Node.needsQuotes("nginx:1.25"))
        #expect(!Node.needsQuotes("${input.WEB_PORT}:80"))
    }

    @Test("store categories and architectures map onto our fixed lists")
    func metadataMaps() {
        #expect(StoreMetadata.category("Home Automation") == "home-automation")
        #expect(StoreMetadata.category("photography") == "photos")
        #expect(StoreMetadata.category("Networking") == "network")
        #expect(StoreMetadata.category("finance") == nil)
        #expect(StoreMetadata.architecture("aarch64") == "arm64")
        #expect(StoreMetadata.architecture("linux/arm/v7") == "armv7")
        #expect(StoreMetadata.architecture("386") == nil)
        #expect(StoreMetadata.recipeID("Home_Assistant ") == "home-assistant")
        #expect(StoreMetadata.recipeID("com.example.MyApp") == "com-example-myapp")
    }
}
