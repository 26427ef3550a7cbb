import Foundation
import Protocol
import Testing
@testable import Recipes

@Suite("Recipe loading and checking")
struct RecipeLoadingTests {
    @Test("the example of docs/recipes.md loads with every field read")
    func documentedExample() throws {
        let recipe = try RecipeLoader.parse(try Fixture.documentedExample(), file: "example.yaml")
        #expect(recipe.id == "nextcloud-split")
        #expect(recipe.category == .files)
        #expect(recipe.architectures == [.amd64, .arm64])
        #expect(recipe.inputs.map(\.name) == ["ADMIN_USER", "WEB_PORT"])
        #expect(recipe.inputs[1].type == .port && recipe.inputs[1].defaultValue == "8080")
        #expect(recipe.secrets == [RecipeSecret(name: "DB_PASSWORD", length: 32), RecipeSecret(name: "ADMIN_PASSWORD", length: 20)])
        #expect(recipe.autoLink)
        #expect(recipe.components.map(\.name) == ["db", "web"])
        #expect(recipe.components[0].requirements == Requirements(memoryBytes: 512 << 20, storageBytes: 10 << 30, cpuWeight: 2))
        #expect(recipe.components[0].prefer == [.storageOptimized, .alwaysOn])
        #expect(recipe.components[1].requirements.alwaysOn)
        #expect(recipe.web == WebEntry(component: "web", port: "${input.WEB_PORT}", path: "/", scheme: "http"))
        #expect(recipe.health == [HealthHint(component: "web", service: "app", probe: .http(port: 80, path: "/status.php"))])
    }

    @Test("every problem is reported at once, each with line, column and field path, in words")
    func manyProblems() {
        let text = """
            id: Bad_Id
            name: Box
            tagline: A box
            category: passwordz
            version: "1"
            architectures: [amd64, sparc]
            inputs:
              - name: PORT
                type: port
                default: 70000
            components:
              - name: app
                compose:
                  services:
                    app:
                      image: busybox:1
                      imgae: typo
                      container_name: fixed
                      ports: ["80:80:80:80"]
                      environment:
                        A: ${input.NOPE}
                        B: ${FOO}
            """
        let problems = Fixture.problems(text, file: "recipes/box.yaml")
        let lines = problems.map(\.description)
        #expect(lines.contains("recipes/box.yaml:1:5: id: \"Bad_Id\" is not an id: lower-case letters, digits and '-', starting with a letter or digit, at most 63"))
        #expect(lines.contains { $0.hasPrefix("recipes/box.yaml:4:11: category: \"passwordz\" is not a category (one of: media, files") })
        #expect(lines.contains { $0.hasPrefix("recipes/box.yaml:6:24: architectures[1]: \"sparc\" is not an architecture") })
        #expect(lines.contains("recipes/box.yaml:10:14: inputs[0].default: default: \"70000\" is not a port (1-65535)"))
        // The shape problems stop the checks that need a whole recipe; fix them and the rest show.
        let fixed = text.replacingOccurrences(of: "Bad_Id", with: "box").replacingOccurrences(of: "passwordz", with: "other")
            .replacingOccurrences(of: ", sparc", with: "").replacingOccurrences(of: "70000", with: "7000")
        let rest = Fixture.problems(fixed, file: "recipes/box.yaml").map(\.description)
        #expect(rest.contains("recipes/box.yaml:17:18: components[0].compose.services.app.imgae: is not a compose key the homelab runtime supports 'imgae' (did you mean 'image'?)"))
        #expect(rest.contains { $0.hasPrefix("recipes/box.yaml:18:27: components[0].compose.services.app.container_name: is not supported: containers are named by the project") })
        #expect(rest.contains("recipes/box.yaml:19:19: components[0].compose.services.app.ports[0]: \"80:80:80:80\" is not [host_ip:][published:]target[/protocol]"))
        #expect(rest.contains { $0.hasPrefix("recipes/box.yaml:21:16: components[0].compose.services.app.environment.A: ${input.NOPE} names no input of this recipe") })
        #expect(rest.contains { $0.hasPrefix("recipes/box.yaml:22:16: components[0].compose.services.app.environment.B: ${FOO} is not a variable") })
        #expect(rest.count == 5, "\(rest.joined(separator: "\n"))")
    }

    @Test("a runtime rule broken by the rendered fragment is placed where it was written")
    func runtimeRules() {
        let text = Fixture.recipe(service: """
                      ports: ["8080:80", "8080:81"]
                      depends_on: [ghost]
            """)
        let lines = Fixture.problems(text).map(\.description)
        #expect(lines.contains { $0 == "test.yaml:14:30: components[0].compose.services.app.ports[1].published: 8080/tcp is already published by services.app.ports[0].published" }, "\(lines)")
        #expect(lines.contains { $0 == "test.yaml:15:23: components[0].compose.services.app.depends_on.ghost: unknown service \"ghost\"" }, "\(lines)")
    }

    @Test("missing required fields are each named")
    func missingFields() {
        let lines = Fixture.problems("id: box\n").map(\.description)
        for field in ["name", "tagline", "category", "version", "architectures", "components"] {
            #expect(lines.contains("test.yaml:1:1: \(field): is required"), "\(lines)")
        }
    }

    @Test("YAML anchors, aliases and merge keys work; keys written in the mapping win")
    func anchorsAndMerges() throws {
        let text = """
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
                    one: &base
                      image: busybox:1
                      restart: unless-stopped
                      environment: &env {A: "1", B: "2"}
                    two:
                      <<: *base
                      restart: "no"
                      environment:
                        <<: *env
                        B: "3"
            """
        let recipe = try RecipeLoader.parse(text, file: "test.yaml")
        let stack = try #require(try RecipeRenderer.render(recipe, RenderContext(deploymentName: "box", deploymentID: "1"), file: "t").components.first?.stack)
        #expect(stack.services["two"]?.image == "busybox:1")
        #expect(stack.services["two"]?.restart == "no")
        #expect(stack.services["two"]?.environment == ["A": "1", "B": "3"])
        #expect(stack.services["one"]?.environment == ["A": "1", "B": "2"])
    }

    @Test("a billion-laughs document and an oversized file are refused before anything else")
    func expansionLimits() {
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...9 { text += "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]\n" }
        let problems = Fixture.problems(text)
        #expect(problems.count == 1)
        #expect(problems.first?.message.contains("expands to more than 100000 values") == true, "\(problems)")

        let big = "id: box\ndescription: \"" + String(repeating: "x", count: YAMLSource.maximumBytes) + "\"\n"
        #expect(Fixture.problems(big).first?.message.contains("a recipe may have at most") == true)
    }

    @Test("YAML that does not parse, duplicate keys and a file named unlike its id are errors with a place")
    func syntax() throws {
        let broken = Fixture.problems("id: box\nname: [unclosed\n")
        #expect(broken.count == 1 && broken[0].line > 0 && broken[0].message.hasPrefix("not valid YAML"), "\(broken)")
        let duplicate = Fixture.problems("id: box\nid: again\n")
        #expect(duplicate.first?.message.contains("more than once") == true, "\(duplicate)")

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("recipes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("other.yaml")
        try Fixture.recipe().write(to: file, atomically: true, encoding: .utf8)
        #expect(throws: RecipeProblems.self) { try RecipeLoader.load(path: file.path) }
        try Fixture.recipe().write(to: dir.appendingPathComponent("box.yaml"), atomically: true, encoding: .utf8)
        #expect(try RecipeLoader.load(path: dir.appendingPathComponent("box.yaml").path).id == "box")
    }

    @Test("compose spellings are read: string commands, KEY=VALUE lists, short volumes, list depends_on, sizes")
    func composeSpellings() throws {
        let text = Fixture.recipe(service: """
                      command: sh -c 'echo "a b" && sleep 1'
                      environment: ["A=1", "B=x=y"]
                      volumes: ["data:/data:ro", "/srv/conf:/conf", "/dev/shm:/dev/shm"]
                      depends_on: [db]
                      mem_limit: 512m
                      cpus: 0.5
                      healthcheck: {test: "wget -q -O- localhost", interval: 10s, retries: 3}
                      ulimits: {nofile: 65536}
                      labels: ["x.y=z"]
                    db:
                      image: busybox:1
                      privileged: true
                      network_mode: host
                  volumes:
                    data:
            """)
        let recipe = try RecipeLoader.parse(text, file: "t.yaml")
        let stack = try #require(try RecipeRenderer.render(recipe, RenderContext(deploymentName: "box", deploymentID: "1"), file: "t").components.first?.stack)
        let app = try #require(stack.services["app"])
        #expect(app.command == ["sh", "-c", "echo \"a b\" && sleep 1"])
        #expect(app.environment == ["A": "1", "B": "x=y"])
        #expect(app.volumes == [MountSpec(type: "volume", source: "data", target: "/data", readOnly: true),
                                MountSpec(type: "bind", source: "/srv/conf", target: "/conf"),
                                MountSpec(type: "bind", source: "/dev/shm", target: "/dev/shm")])
        #expect(app.dependsOn == ["db": Dependency(condition: .serviceStarted)])
        #expect(app.memLimit == 512 << 20)
        #expect(app.cpus == 0.5)
        #expect(app.healthcheck?.test == ["CMD-SHELL", "wget -q -O- localhost"])
        #expect(app.healthcheck?.retries == 3)
        #expect(app.ulimits == ["nofile": Ulimit(soft: 65536, hard: 65536)])
        #expect(app.labels == ["x.y": "z"])
        #expect(stack.services["db"]?.privileged == true)
        #expect(stack.services["db"]?.networkMode == "host")
        #expect(stack.volumes?["data"] != nil)
    }

    @Test("shell words split like a shell, without expansion")
    func shellWords() {
        #expect(ShellWords.split("a  b\tc") == ["a", "b", "c"])
        #expect(ShellWords.split(#"x "y z" 'q $HOME' a\ b """#) == ["x", "y z", "q $HOME", "a b", ""])
        #expect(ShellWords.split("unclosed 'quote") == nil)
    }
}
