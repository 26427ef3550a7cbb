import Foundation
import Protocol
import Testing
@testable import Recipes

@Suite("Recipe rendering")
struct RenderingTests {
    static func example() throws -> Recipe { try RecipeLoader.parse(try Fixture.documentedExample(), file: "example.yaml") }

    static func context(_ recipe: Recipe, inputs: [String: String] = [:]) throws -> RenderContext {
        RenderContext(deploymentName: "cloud", deploymentID: "d-1", inputs: try RecipeRenderer.resolveInputs(recipe, given: inputs),
                      secrets: RecipeRenderer.secrets(recipe, existing: ["DB_PASSWORD": "db-secret", "ADMIN_PASSWORD": "admin-secret"]),
                      hosts: ["db": "198.18.0.20", "web": "198.18.0.30"], timezone: "Europe/Berlin")
    }

    @Test("a two-component recipe renders a stack per component with inputs, secrets, component addresses and auto-linked variables")
    func twoComponents() throws {
        let recipe = try Self.example()
        let rendered = try RecipeRenderer.render(recipe, try Self.context(recipe, inputs: ["WEB_PORT": "8443"]), file: "example.yaml")
        #expect(rendered.components.map(\.stack.name) == ["cloud-db", "cloud-web"])
        #expect(rendered.components.allSatisfy { $0.stack.deployment == "cloud" })
        let db = try #require(rendered.component("db"))
        #expect(db.port == 5432)
        #expect(db.stack.services["postgres"]?.environment?["POSTGRES_PASSWORD"] == "db-secret")
        let web = try #require(rendered.component("web")?.stack.services["app"])
        #expect(web.environment?["POSTGRES_HOST"] == "198.18.0.20:5432")
        #expect(web.environment?["NEXTCLOUD_ADMIN_USER"] == "admin")
        #expect(web.environment?["DB_HOST"] == "198.18.0.20")
        #expect(web.environment?["DB_PORT"] == "5432")
        #expect(db.stack.services["postgres"]?.environment?["WEB_HOST"] == nil, "web has no port, so nothing links to it")
        #expect(web.ports == [PortSpec(target: 80, published: 8443)])
        #expect(rendered.web == .init(component: "web", port: 8443, path: "/", scheme: "http"))
        #expect(rendered.notes == "Log in as admin with admin-secret.")
    }

    @Test("rendering is deterministic: same inputs, same bytes")
    func deterministic() throws {
        let recipe = try Self.example()
        let context = try Self.context(recipe)
        let first = try RecipeRenderer.render(recipe, context, file: "x").components.map { try ComposeFile.text(of: $0.stack) }
        for _ in 0..<5 {
            #expect(try RecipeRenderer.render(recipe, context, file: "x").components.map { try ComposeFile.text(of: $0.stack) } == first)
        }
    }

    @Test("hostile input values stay one value: no key is added, and $ is escaped for Compose")
    func hostileInputs() throws {
        let recipe = try RecipeLoader.parse(Fixture.recipe(service: """
                      environment:
                        NAME: ${input.NAME}
                      labels:
                        note: "x ${input.NAME} y"
            """, extra: """
            inputs:
              - name: NAME
                type: text
            """), file: "t.yaml")
        let hostile = "a\"\n      privileged: true\n    evil:\n      image: x $HOME ${input.NAME} $$ '}"
        let inputs = try RecipeRenderer.resolveInputs(recipe, given: ["NAME": hostile])
        let stack = try #require(try RecipeRenderer.render(recipe, RenderContext(deploymentName: "box", deploymentID: "1", inputs: inputs), file: "t")
            .components.first?.stack)
        #expect(stack.services.keys.sorted() == ["app"])
        #expect(stack.services["app"]?.privileged == nil)
        #expect(stack.services["app"]?.environment == ["NAME": hostile], "the value, byte for byte, not re-read as a template")
        #expect(stack.services["app"]?.labels == ["note": "x \(hostile) y"])
        let document = try ComposeFile.text(of: stack)
        #expect(document.contains("x $$HOME $${input.NAME} $$$$ '}"))
        // Read back as Compose would (after its $$ → $), the document holds the same services.
        struct Services: Decodable { var services: [String: ServiceSpec] }
        let unescaped = document.replacingOccurrences(of: "$$", with: "$")
        #expect(try JSONDecoder().decode(Services.self, from: Data(unescaped.utf8)).services == stack.services)
    }

    @Test("inputs: given values are checked by type, defaults fill in, random ones are generated, unknown and missing ones named")
    func inputs() throws {
        let recipe = try RecipeLoader.parse(Fixture.recipe(extra: """
            inputs:
              - {name: PORT, type: port, default: 8080}
              - {name: MAIL, type: email}
              - {name: COUNT, type: number, min: 1, max: 5}
              - {name: MODE, type: select, options: [fast, safe], default: safe}
              - {name: KEY, type: random, length: 24, charset: hex}
              - {name: ADMIN, type: text, required: true, regex: '[a-z]+'}
              - {name: HOST, type: fqdn}
              - {name: ADDR, type: ip}
            """), file: "t.yaml")
        let values = try RecipeRenderer.resolveInputs(recipe, given: ["ADMIN": "root", "ADDR": "fd00::1"])
        #expect(values["PORT"] == "8080" && values["MODE"] == "safe" && values["MAIL"] == "")
        #expect(values["KEY"]?.count == 24 && values["KEY"]!.allSatisfy { "0123456789abcdef".contains($0) })
        do {
            _ = try RecipeRenderer.resolveInputs(recipe, given: ["PORT": "70000", "MAIL": "nope", "COUNT": "9", "MODE": "turbo",
                                                                 "HOST": "localhost", "ADDR": "300.1.1.1", "TYPO": "1"], source: "--set")
            Issue.record("bad inputs were accepted")
        } catch {
            let lines = error.problems.map(\.description)
            #expect(lines.contains("--set: TYPO: box has no such input (it has: PORT, MAIL, COUNT, MODE, KEY, ADMIN, HOST, ADDR)"))
            #expect(lines.contains("--set: PORT: \"70000\" is not a port (1-65535)"))
            #expect(lines.contains("--set: MAIL: \"nope\" is not an e-mail address"))
            #expect(lines.contains("--set: COUNT: 9 is above the maximum 5"))
            #expect(lines.contains("--set: MODE: \"turbo\" is not one of fast, safe"))
            #expect(lines.contains("--set: HOST: \"localhost\" is not a fully qualified host name (like nas.home.arpa)"))
            #expect(lines.contains("--set: ADDR: \"300.1.1.1\" is not an IPv4 or IPv6 address"))
            #expect(lines.contains("--set: ADMIN: is required (text); give it with ADMIN=VALUE"))
        }
        #expect(throws: RecipeProblems.self) { try RecipeRenderer.resolveInputs(recipe, given: ["ADMIN": "Root1"]) }
    }

    @Test("secrets are generated once and kept: existing values are reused, new ones have the charset and length")
    func secrets() throws {
        let recipe = try Self.example()
        let first = RecipeRenderer.secrets(recipe)
        #expect(first["DB_PASSWORD"]?.count == 32 && first["ADMIN_PASSWORD"]?.count == 20)
        #expect(first["DB_PASSWORD"]!.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) })
        #expect(RecipeRenderer.secrets(recipe, existing: first) == first)
        #expect(RecipeRenderer.secrets(recipe)["DB_PASSWORD"] != first["DB_PASSWORD"])
    }

    @Test("an address not known at render time is an error naming the component")
    func missingHost() throws {
        let recipe = try Self.example()
        var context = try Self.context(recipe)
        context.hosts = [:]
        #expect(throws: RecipeProblems.self) { try RecipeRenderer.render(recipe, context, file: "x") }
        do { _ = try RecipeRenderer.render(recipe, context, file: "x") } catch {
            #expect(error.problems.contains { $0.message == "the address of component db is not known (where it runs is decided at deploy time)" })
        }
    }
}
