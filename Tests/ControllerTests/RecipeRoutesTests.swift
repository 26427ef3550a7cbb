import Controller
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Protocol
import Recipes
import Scheduler
import Testing

@Suite("Recipes through the API")
struct RecipeRoutesTests {
    static let recipe = """
        id: notes
        name: Notes
        tagline: Plain notes in the browser
        description: Keeps markdown files
        category: productivity
        version: "2"
        architectures: [amd64, arm64]
        inputs:
          - {name: WEB_PORT, type: port, default: 8080}
        secrets:
          - {name: KEY, length: 16}
        components:
          - name: app
            requirements: {memory: 64M}
            compose:
              services:
                app:
                  image: busybox:1
                  environment: {KEY: "${secret.KEY}"}
                  ports: ["${input.WEB_PORT}:80"]
        web: {port: "${input.WEB_PORT}"}
        """

    static func makeApp(catalog: URL) async throws -> (ControllerApp, Application<RouterResponder<APIRoutes.Context>>, URL) {
        let dir = try temporaryDirectory()
        var config = ControllerConfig(stateDirectory: dir)
        config.discovery.network.enabled = false  // never multicast outside the lab
        config.catalogDirectories = [catalog]
        let controller = try await ControllerApp.open(config: config)
        let (router, _) = APIRoutes(controller: controller.context).makeRouter()
        return (controller, Application(router: router), dir)
    }

    static func get<T: Decodable>(_ client: some TestClientProtocol, _ uri: String, token: String, as type: T.Type) async throws -> T {
        try await client.execute(uri: uri, method: .get, headers: [.authorization: "Bearer \(token)"]) { response in
            #expect(response.status == .ok, "\(uri): \(String(buffer: response.body))")
            return try WireCoding.decoder.decode(T.self, from: Data(response.body.readableBytesView))
        }
    }

    @Test("list with search and filters, detail with published ports, render with inputs; a bad input is a 422 naming it")
    func catalogRoutes() async throws {
        let catalog = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: catalog) }
        try Self.recipe.write(to: catalog.appendingPathComponent("notes.yaml"), atomically: true, encoding: .utf8)
        try "id: broken\nname: [\n".write(to: catalog.appendingPathComponent("broken.yaml"), atomically: true, encoding: .utf8)
        let (controller, app, dir) = try await Self.makeApp(catalog: catalog)
        defer { try? FileManager.default.removeItem(at: dir) }
        let token = try #require(controller.newAdminToken)
        try await app.test(.router) { client in
            let all = try await Self.get(client, "/v1/recipes", token: token, as: ListResponse<RecipeSummary>.self)
            #expect(all.items.map(\.id) == ["notes"])
            #expect(try await Self.get(client, "/v1/recipes?q=markdown", token: token, as: ListResponse<RecipeSummary>.self).items.count == 1)
            #expect(try await Self.get(client, "/v1/recipes?q=video", token: token, as: ListResponse<RecipeSummary>.self).items.isEmpty)
            #expect(try await Self.get(client, "/v1/recipes?category=media", token: token, as: ListResponse<RecipeSummary>.self).items.isEmpty)
            #expect(try await Self.get(client, "/v1/recipes?arch=aarch64", token: token, as: ListResponse<RecipeSummary>.self).items.count == 1)
            #expect(try await Self.get(client, "/v1/recipes?arch=armv7", token: token, as: ListResponse<RecipeSummary>.self).items.isEmpty)
            try await client.execute(uri: "/v1/recipes?category=nope", method: .get, headers: [.authorization: "Bearer \(token)"]) { response in
                #expect(response.status == .badRequest)
            }

            let detail = try await Self.get(client, "/v1/recipes/notes", token: token, as: RecipeDetail.self)
            #expect(detail.components.first?.publishes == ["8080/tcp"])
            #expect(detail.components.first?.images == ["app": "busybox:1"])
            #expect(detail.inputs.first?.name == "WEB_PORT")

            let status = try await Self.get(client, "/v1/catalog", token: token, as: CatalogStatus.self)
            #expect(status.recipes == 1)
            #expect(status.problems.first?.file.hasSuffix("broken.yaml") == true && (status.problems.first?.line ?? 0) > 0, "\(status.problems)")

            let body = try WireCoding.encoder.encode(RenderRequest(inputs: ["WEB_PORT": "9090"]))
            try await client.execute(uri: "/v1/recipes/notes/render", method: .post, headers: [.authorization: "Bearer \(token)"],
                                     body: ByteBuffer(bytes: body)) { response in
                #expect(response.status == .ok)
                let rendered = try WireCoding.decoder.decode(RenderResponse.self, from: Data(response.body.readableBytesView))
                #expect(rendered.components.first?.compose.contains("\"9090:80\"") == true)
                #expect(rendered.web == "http://DEVICE-ADDRESS:9090/")
            }
            let bad = try WireCoding.encoder.encode(RenderRequest(inputs: ["WEB_PORT": "99999"]))
            try await client.execute(uri: "/v1/recipes/notes/render", method: .post, headers: [.authorization: "Bearer \(token)"],
                                     body: ByteBuffer(bytes: bad)) { response in
                #expect(response.status == .unprocessableContent)
                #expect(String(buffer: response.body).contains("WEB_PORT: \\\"99999\\\" is not a port"), "\(String(buffer: response.body))")
            }
            try await client.execute(uri: "/v1/recipes/ghost", method: .get, headers: [.authorization: "Bearer \(token)"]) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test("fits=DEVICE and recommendations judge what a real agent reports: architecture, RAM, storage")
    func fitsOnDevice() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let catalog = dir.appendingPathComponent("catalog")
        try FileManager.default.createDirectory(at: catalog, withIntermediateDirectories: true)
        #if arch(x86_64)
        let machine = "amd64"
        #else
        let machine = "arm64"
        #endif
        let other = machine == "amd64" ? "arm64" : "amd64"
        for (id, arch, memory) in [("small", machine, "64M"), ("huge", machine, "64T"), ("elsewhere", other, "64M")] {
            try Self.recipe.replacingOccurrences(of: "id: notes", with: "id: \(id)")
                .replacingOccurrences(of: "architectures: [amd64, arm64]", with: "architectures: [\(arch)]")
                .replacingOccurrences(of: "memory: 64M", with: "memory: \(memory)")
                .write(to: catalog.appendingPathComponent("\(id).yaml"), atomically: true, encoding: .utf8)
        }
        let controller = try await TestController.start(stateDirectory: dir.appendingPathComponent("controller"), catalog: [catalog])
        let agent = try TestAgent.start(controllerPort: controller.agentPort, stateDirectory: dir.appendingPathComponent("agent"),
                                        token: try await controller.token().token, name: "box")
        _ = try await controller.waitForDevice("box") { $0.status == .online && $0.metrics?.memory != nil }
        let token = try #require(controller.app.newAdminToken)
        let (router, _) = APIRoutes(controller: controller.app.context).makeRouter()
        try await Application(router: router).test(.router) { client in
            // The scheduler over the same live device: the snapshot holds what its agent reported, and the
            // recommendation rejects the device for the recipes that do not fit it, with the reason.
            let snapshot = try await Self.get(client, "/v1/snapshot", token: token, as: ClusterSnapshot.self)
            #expect(snapshot.devices.map(\.name) == ["box"])
            #expect(snapshot.devices.first?.memoryAvailableBytes != nil && snapshot.devices.first?.architecture != nil)
            // Its online event is recorded: observed availability since enrollment (below 1: enrolling took part
            // of its short life), and no reboot.
            let availability = snapshot.devices.first?.availability ?? 0
            #expect(availability > 0 && availability <= 1, "\(availability)")
            #expect(snapshot.devices.first?.reboots == 0)
            for (recipe, placed) in [("small", true), ("huge", false), ("elsewhere", false)] {
                let body = try WireCoding.encoder.encode(RecommendationRequest(recipe: recipe))
                try await client.execute(uri: "/v1/recommendations", method: .post, headers: [.authorization: "Bearer \(token)"],
                                         body: ByteBuffer(bytes: body)) { response in
                    #expect(response.status == .ok)
                    let plan = try WireCoding.decoder.decode(Plan.self, from: Data(response.body.readableBytesView))
                    #expect((plan.placements.first?.devices["app"] == "box") == placed, "\(recipe): \(plan)")
                    let box = plan.rankings.first?.devices.first
                    if recipe == "huge" { #expect(box?.rejections.first?.hasSuffix("RAM free, app needs 64 TB") == true, "\(String(describing: box))") }
                    if recipe == "elsewhere" { #expect(box?.rejections.first?.contains("is not supported (the app runs on \(other))") == true) }
                }
            }
            // A recipe's text instead of a catalog id (`homelab recommend ./app.yaml`); one that does not parse says where.
            let text = Self.recipe.replacingOccurrences(of: "id: notes", with: "id: from-file")
            let posted = try WireCoding.encoder.encode(RecommendationRequest(recipeYAML: text, recipeFile: "from-file.yaml"))
            try await client.execute(uri: "/v1/recommendations", method: .post, headers: [.authorization: "Bearer \(token)"],
                                     body: ByteBuffer(bytes: posted)) { response in
                #expect(response.status == .ok)
                let plan = try WireCoding.decoder.decode(Plan.self, from: Data(response.body.readableBytesView))
                #expect(plan.recipe == "from-file" && plan.placements.first?.choices.first?.device == "box", "\(plan)")
            }
            let broken = try WireCoding.encoder.encode(RecommendationRequest(recipeYAML: text.replacingOccurrences(of: "category: productivity", with: "category: nope"),
                                                                             recipeFile: "from-file.yaml"))
            try await client.execute(uri: "/v1/recommendations", method: .post, headers: [.authorization: "Bearer \(token)"],
                                     body: ByteBuffer(bytes: broken)) { response in
                #expect(response.status == .unprocessableContent)
                let body = String(buffer: response.body)
                #expect(body.contains("invalid_recipe") && body.contains("from-file.yaml:5:11: category"), "\(body)")
            }
            let neither = try WireCoding.encoder.encode(RecommendationRequest())
            try await client.execute(uri: "/v1/recommendations", method: .post, headers: [.authorization: "Bearer \(token)"],
                                     body: ByteBuffer(bytes: neither)) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains("recipeYAML"))
            }
            let unknown = try WireCoding.encoder.encode(RecommendationRequest(recipe: "ghost"))
            try await client.execute(uri: "/v1/recommendations", method: .post, headers: [.authorization: "Bearer \(token)"],
                                     body: ByteBuffer(bytes: unknown)) { response in
                #expect(response.status == .notFound)
            }

            let fits = try await Self.get(client, "/v1/recipes?fits=box", token: token, as: ListResponse<RecipeSummary>.self)
            #expect(fits.items.map(\.id) == ["small"])
            #expect(try await Self.get(client, "/v1/recipes", token: token, as: ListResponse<RecipeSummary>.self).items.count == 3)
            try await client.execute(uri: "/v1/recipes?fits=ghost", method: .get, headers: [.authorization: "Bearer \(token)"]) { response in
                #expect(response.status == .notFound)
            }
        }
        await agent.stop()
        await controller.stop()
    }

    @Test("the catalog reloads when a file is added, changed or removed, and keeps serving meanwhile")
    func reload() throws {
        let catalog = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: catalog) }
        let recipes = RecipeCatalog(directories: [catalog], logger: .init(label: "test"))
        #expect(recipes.recipes.isEmpty)
        #expect(!recipes.reloadIfChanged())
        let file = catalog.appendingPathComponent("notes.yaml")
        try Self.recipe.write(to: file, atomically: true, encoding: .utf8)
        #expect(recipes.reloadIfChanged())
        #expect(recipes.recipe("notes")?.recipe.version == "2")
        try Self.recipe.replacingOccurrences(of: "version: \"2\"", with: "version: \"3.0.1\"").write(to: file, atomically: true, encoding: .utf8)
        #expect(recipes.reloadIfChanged())
        #expect(recipes.recipe("notes")?.recipe.version == "3.0.1")
        try FileManager.default.removeItem(at: file)
        #expect(recipes.reloadIfChanged())
        #expect(recipes.recipe("notes") == nil)
    }
}
