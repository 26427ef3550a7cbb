import CLI
import Foundation
import Protocol
import Testing

@Suite("Deployment output and arguments")
struct DeploymentOutputTests {
    static let time = Date(timeIntervalSince1970: 1_740_830_400)

    @Test("without a terminal, stored steps are lines and progress ticks are left out; on a terminal a tick is a bar redrawn in place")
    func progressView() {
        let stored = DeploymentStep(seq: 7, time: Self.time, state: .creating, component: "app", message: "app: Creating hello-web-1")
        let tick = DeploymentStep(time: Self.time, state: .pulling, component: "app", message: "app: Downloading", current: 12 << 20, total: 40 << 20)
        var plain = DeployProgressView(terminal: false, style: Style(colorEnabled: false))
        #expect(plain.render(tick) == "")
        #expect(plain.render(stored) == "creating         app: Creating hello-web-1\n")
        var live = DeployProgressView(terminal: true, style: Style(colorEnabled: false))
        #expect(live.render(tick) == "\r\u{1B}[2K  app: Downloading  [#######-----------------]  12M / 40M")
        #expect(live.render(stored) == "\r\u{1B}[2Kcreating         app: Creating hello-web-1\n", "the bar is cleared before the next line")
        #expect(live.render(stored) == "creating         app: Creating hello-web-1\n")
        var colored = DeployProgressView(terminal: true, style: Style(colorEnabled: true))
        #expect(colored.render(DeploymentStep(seq: 9, time: Self.time, state: .running, message: "Running")) == "\u{1B}[32mrunning          \u{1B}[0mRunning\n")
    }

    @Test("apps list shows state, devices and URL of each deployment")
    func table() {
        let deployment = DeploymentResource(
            id: "d1", name: "vault", recipe: "vaultwarden", recipeVersion: "1.34.3", category: "passwords", state: .running,
            components: [DeploymentComponent(name: "app", device: "nas", address: "198.18.0.10", project: "vault", port: nil, reason: "8 GB RAM free")],
            inputs: [:], url: "http://198.18.0.10:8222/", exposed: false, error: nil, createdAt: Self.time, updatedAt: Self.time.addingTimeInterval(-120))
        #expect(DeploymentTable(deployments: [deployment], now: Self.time).render() == """
            NAME   RECIPE       VERSION  STATE    DEVICES  URL                       UPDATED
            vault  vaultwarden  1.34.3   running  nas      http://198.18.0.10:8222/  2m ago

            """)
    }

    @Test("deploy: --set needs KEY=VALUE; a path sends the file's text, an id names the catalog recipe; apps rm needs a word on the data")
    func deployArguments() throws {
        let byID = try #require(try HomelabCommand.parseAsRoot(["deploy", "vaultwarden", "--set", "WEB_PORT=8300", "--device", "nas", "--expose"]) as? DeployCommand)
        let request = try byID.makeRequest()
        #expect(request.recipe == "vaultwarden" && request.recipeYAML == nil)
        #expect(request.inputs == ["WEB_PORT": "8300"] && request.placement == .devices(["*": "nas"]) && request.expose == true)
        let bad = try #require(try HomelabCommand.parseAsRoot(["deploy", "vaultwarden", "--set", "WEB_PORT"]) as? DeployCommand)
        #expect(throws: CLIError.self) { try bad.makeRequest() }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("mine-\(UUID().uuidString.prefix(6)).yaml")
        try "id: mine\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let byPath = try #require(try HomelabCommand.parseAsRoot(["deploy", file.path]) as? DeployCommand)
        let sent = try byPath.makeRequest()
        #expect(sent.recipe == nil && sent.recipeYAML == "id: mine\n" && sent.recipeFile == file.lastPathComponent)
        #expect(throws: (any Error).self) { _ = try HomelabCommand.parseAsRoot(["apps", "rm", "vault", "--yes"]) }
        #expect(throws: (any Error).self) { _ = try HomelabCommand.parseAsRoot(["apps", "rm", "vault", "--keep-data", "--delete-data"]) }
    }
}
