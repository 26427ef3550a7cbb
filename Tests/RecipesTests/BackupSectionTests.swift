import Foundation
import Protocol
import Testing
@testable import Recipes

/// A component's `backup:` section: its mode, its dumps rendered to commands, its hooks, and its mistakes.
@Suite("Recipe backup section")
struct BackupSectionTests {
    static func recipe(_ backup: String) -> String {
        """
        id: box
        name: Box
        tagline: A box
        category: other
        version: "1"
        architectures: [amd64]
        components:
          - name: app
            compose:
              services:
                db:
                  image: postgres:16
                web:
                  image: busybox:1
        \(backup)
        """
    }

    @Test("no section means stop mode with nothing else; dump mode renders pg_dump -Fc, mysqldump --single-transaction and sqlite3 .dump")
    func rendering() throws {
        let plain = try RecipeLoader.parse(Self.recipe(""), file: "box.yaml")
        #expect(plain.components[0].backup == nil)
        let recipe = try RecipeLoader.parse(Self.recipe("""
                backup:
                  mode: dump
                  dumps:
                    - {service: db, kind: postgres}
                    - {service: db, kind: postgres, database: "it's", user: app, file: custom.pgdump}
                    - {service: db, kind: mariadb}
                    - {service: web, kind: sqlite, path: /data/app.db}
                    - {service: web, kind: command, command: [tar, c, /data]}
                  hooks:
                    pre: [{service: web, command: [sync]}]
                    post: [{service: web, command: [echo, done]}]
            """), file: "box.yaml")
        let plan = try #require(recipe.components[0].backup)
        #expect(plan.mode == .dump)
        #expect(plan.dumps.map(\.filename) == ["db.pgdump", "custom.pgdump", "db.sql", "web.sql", "web.dump"])
        #expect(plan.dumps[0].command == ["sh", "-c", "exec pg_dump -Fc -U \"${POSTGRES_USER:-postgres}\" \"${POSTGRES_DB:-${POSTGRES_USER:-postgres}}\""])
        #expect(plan.dumps[1].command == ["sh", "-c", "exec pg_dump -Fc -U 'app' 'it'\\''s'"])
        #expect(plan.dumps[2].command.last?.contains("--single-transaction") == true)
        #expect(plan.dumps[2].command.last?.contains("MYSQL_PWD=") == true, "the password never goes on a command line")
        #expect(plan.dumps[3].command == ["sqlite3", "/data/app.db", ".dump"])
        #expect(plan.dumps[4].command == ["tar", "c", "/data"])
        #expect(plan.pre == [HookSpec(service: "web", command: ["sync"])] && plan.post == [HookSpec(service: "web", command: ["echo", "done"])])
    }

    @Test("an unknown mode, a service of no component, dumps outside dump mode, dump mode without dumps and a sqlite dump without path are each reported at their place")
    func problems() {
        func problems(_ backup: String) -> [String] {
            do {
                _ = try RecipeLoader.parse(Self.recipe(backup), file: "box.yaml")
                return []
            } catch {
                return error.problems.map { "\($0.field): \($0.message)" }
            }
        }
        #expect(problems("    backup: {mode: snapshot}").contains { $0.hasPrefix("components[0].backup.mode:") && $0.contains("not a backup mode") })
        #expect(problems("    backup: {mode: dump, dumps: [{service: cache, kind: postgres}]}").contains { $0.contains("names no service of this component") })
        #expect(problems("    backup: {dumps: [{service: db, kind: postgres}]}").contains { $0.contains("taken in mode dump only") })
        #expect(problems("    backup: {mode: dump}").contains { $0.contains("needs at least one entry in dumps") })
        #expect(problems("    backup: {mode: dump, dumps: [{service: web, kind: sqlite}]}").contains { $0.hasSuffix("path: is required") })
        #expect(problems("    backup: {mode: live, hooks: {during: []}}").contains { $0.contains("unknown field") })
    }

    @Test("the bundled recipes with a database declare dump mode for it")
    func bundledDatabases() throws {
        let folder = Fixture.repository.appendingPathComponent("recipes")
        for id in ["bookstack", "immich", "miniflux", "nextcloud", "nextcloud-split", "paperless-ngx", "photoprism", "wikijs"] {
            let recipe = try RecipeLoader.parse(String(contentsOf: folder.appendingPathComponent("\(id).yaml"), encoding: .utf8), file: "\(id).yaml")
            let plans = recipe.components.compactMap(\.backup)
            #expect(plans.count == 1 && plans[0].mode == .dump && plans[0].dumps.count == 1, "\(id)")
        }
    }
}
