import Controller
import Foundation
import NIOCore
import NIOPosix
import Protocol
import Testing
@testable import CLI

/// The CLI commands, run in this process, over real TLS on 127.0.0.1 against a real controller running in this
/// process (its own CA, its admin token), with real `homelab-agent` processes as devices.
@Suite("login and API calls over TLS against a real controller")
struct LoginTests {
    /// Runs a parsed command in a context with its own config directory.
    struct Run {
        let directory: TemporaryDirectory
        let console: TestConsole
        var context: CommandContext

        init(console: TestConsole = TestConsole(), environment: [String: String] = [:]) throws {
            directory = try TemporaryDirectory()
            self.console = console
            context = CommandContext(environment: environment, configDirectory: directory.path + "/homelab", console: console, now: Date())
        }

        var store: ConfigStore { ConfigStore(directory: context.configDirectory) }

        /// Parses and runs `arguments`, returning the `CLIError` it ended with, if any.
        func callAsFunction(_ arguments: [String]) async throws -> CLIError? {
            let command = try HomelabCommand.parseAsRoot(arguments)
            do {
                switch command {
                case let command as LoginCommand: try await command.run(in: context)
                case let command as DevicesList: try await command.run(in: context)
                case let command as DevicesShow: try await command.run(in: context)
                case let command as DevicesApprove: try await command.run(in: context)
                case let command as DevicesRemove: try await command.run(in: context)
                case let command as TokensCreate: try await command.run(in: context)
                default: Issue.record("no runner for \(arguments)")
                }
                return nil
            } catch let error as CLIError {
                return error
            }
        }
    }

    /// A port on 127.0.0.1 nothing listens on.
    /// A loopback port that refuses connections for as long as the returned socket stays open: it is
    /// bound but never listens, so no other test (nor an outgoing connection) can take it meanwhile.
    /// A port that was merely closed again could be reused at once under a parallel test run.
    static func refusingPort() throws -> (port: Int, socket: Int32) {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(.EMFILE) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0 }
        }
        guard bound else {
            close(descriptor)
            throw POSIXError(.EADDRNOTAVAIL)
        }
        return (Int(UInt16(bigEndian: address.sin_port)), descriptor)
    }

    /// An API token in the controller's format that the controller never issued.
    static let unknownToken = "HLA1.000000000000.\(String(repeating: "0", count: 48))"

    /// The join tokens the controller holds.
    static func joinTokens(_ controller: RealController) async throws -> [TokenResource] {
        try await controller.app.context.tokens.listJoinTokens()
    }

    @Test("login with the right fingerprint pins the presented CA and saves URL and token")
    func loginWithFingerprint() async throws {
        try await RealController.with { controller in
            let run = try Run()
            defer { run.directory.remove() }
            let admin = try controller.adminToken
            let fingerprint = try #require(CAFingerprint(parsing: controller.fingerprint))
            let expected = try CACertificate(pemFile: controller.caPath)

            let failure = try await run(["login", controller.url, "--token", admin, "--ca", "sha256:\(fingerprint.hex.uppercased())"])

            #expect(failure == nil)
            #expect(run.console.output == "Logged in to \(controller.url) (controller v\(ControllerVersion.current), CA sha256:\(controller.fingerprint))\n")
            #expect(try run.store.loadLogin() == SavedLogin(url: controller.url, token: admin))
            let saved = try CACertificate(pem: try #require(run.store.loadCAPEM()), origin: "saved")
            #expect(saved == expected)
            #expect(saved.fingerprint == fingerprint)
            #expect(run.console.errors == "")
        }
    }

    @Test("login with a wrong fingerprint is refused with exit 5, names both fingerprints and saves nothing")
    func loginWithWrongFingerprint() async throws {
        try await RealController.with { controller in
            let run = try Run()
            defer { run.directory.remove() }
            let wrong = String(repeating: "0", count: 64)

            let failure = try #require(try await run(["login", controller.url, "--token", try controller.adminToken, "--ca", wrong]))

            #expect(failure.exitCode == 5)
            #expect(failure.message.contains(controller.fingerprint))
            #expect(failure.message.contains(wrong))
            #expect(try run.store.loadLogin() == nil)
            #expect(run.store.loadCAPEM() == nil)
            #expect(run.console.output == "")
        }
    }

    @Test("login with the CA file trusts exactly that CA")
    func loginWithFile() async throws {
        try await RealController.with { controller in
            let run = try Run()
            defer { run.directory.remove() }

            let expected = try CACertificate(pemFile: controller.caPath)
            let failure = try await run(["login", controller.url, "--token", try controller.adminToken, "--ca", controller.caPath])

            #expect(failure == nil)
            #expect(run.store.loadCAPEM() == expected.pem)
            #expect(run.console.output.hasPrefix("Logged in to \(controller.url) "))
        }
    }

    @Test("another CA's file fails the TLS handshake with exit 5, for login and for an API call, which then changes nothing")
    func loginWithOtherCAFile() async throws {
        let otherDirectory = try TemporaryDirectory()
        defer { otherDirectory.remove() }
        let other = try CertificateAuthority.loadOrCreate(in: URL(fileURLWithPath: otherDirectory.path))
        let otherPath = otherDirectory.path + "/ca.pem"
        try await RealController.with { controller in
            #expect(other.fingerprint != controller.fingerprint)
            let run = try Run()
            defer { run.directory.remove() }
            let admin = try controller.adminToken

            let failure = try #require(try await run(["login", controller.url, "--token", admin, "--ca", otherPath]))
            #expect(failure.exitCode == 5)
            #expect(failure.message.hasPrefix("cannot reach the controller at \(controller.url): TLS handshake failed"))
            #expect(failure.message.contains("not signed by the pinned CA sha256:\(try CACertificate(pemFile: otherPath).fingerprint.hex)"))
            #expect(failure.message.contains("not signed by the pinned CA sha256:\(other.fingerprint)"))
            #expect(try run.store.loadLogin() == nil)

            // The request never reaches the controller: a token-creating call leaves it without join tokens.
            let create = try #require(try await run(["tokens", "create", "--url", controller.url, "--token", admin, "--ca", otherPath]))
            #expect(create.exitCode == 5)
            #expect(try await Self.joinTokens(controller).isEmpty)
        }
    }

    @Test("without a pinned CA the system trust store refuses the private CA with exit 5, and the request changes nothing")
    func systemTrustRefusesPrivateCA() async throws {
        try await RealController.with { controller in
            let run = try Run(environment: ["HOMELAB_URL": controller.url, "HOMELAB_TOKEN": try controller.adminToken])
            defer { run.directory.remove() }

            let failure = try #require(try await run(["devices", "list"]))
            #expect(failure.exitCode == 5)
            #expect(failure.message.contains("not trusted by this system"))

            let create = try #require(try await run(["tokens", "create"]))
            #expect(create.exitCode == 5)
            #expect(create.message.contains("not trusted by this system"))
            #expect(try await Self.joinTokens(controller).isEmpty)
            #expect(run.console.output == "")
        }
    }

    @Test("login without --ca off a terminal refuses and shows the fingerprint to pass")
    func loginNeedsCAOffTerminal() async throws {
        try await RealController.with { controller in
            let run = try Run()
            defer { run.directory.remove() }

            let failure = try #require(try await run(["login", controller.url, "--token", try controller.adminToken]))

            #expect(failure.exitCode == 64)
            #expect(failure.message.contains("--ca \(controller.fingerprint)"))
            #expect(failure.message.contains("homelab controller CA"))
            #expect(try run.store.loadLogin() == nil)
        }
    }

    @Test("login without --ca on a terminal asks, and pins the CA only on yes")
    func loginAsks() async throws {
        try await RealController.with { controller in
            let admin = try controller.adminToken

            let declined = try Run(console: TestConsole(outputIsTerminal: true, inputIsTerminal: true, answers: ["n"]))
            defer { declined.directory.remove() }
            let refusal = try #require(try await declined(["login", controller.url, "--token", admin]))
            #expect(refusal.code == .aborted)
            #expect(refusal.exitCode == 1)
            #expect(declined.console.errors.contains("subject:     homelab controller CA"))
            #expect(declined.console.errors.contains("fingerprint: sha256:\(controller.fingerprint)"))
            #expect(declined.console.errors.contains("Trust this controller CA? [y/N] "))
            #expect(try declined.store.loadLogin() == nil)

            let accepted = try Run(console: TestConsole(outputIsTerminal: true, inputIsTerminal: true, answers: ["y"]))
            defer { accepted.directory.remove() }
            #expect(try await accepted(["login", controller.url, "--token", admin]) == nil)
            #expect(try accepted.store.loadLogin()?.token == admin)
            #expect(try CACertificate(pem: try #require(accepted.store.loadCAPEM()), origin: "saved").fingerprint.hex == controller.fingerprint)
        }
    }

    @Test("login with a token the controller refuses exits 4 and saves nothing")
    func loginWrongToken() async throws {
        try await RealController.with { controller in
            for token in ["wrong", Self.unknownToken] {
                let run = try Run()
                defer { run.directory.remove() }

                let failure = try #require(try await run(["login", controller.url, "--token", token, "--ca", controller.opensslFingerprint]))

                #expect(failure.exitCode == 4)
                #expect(failure.message == "the controller refused the token; run homelab login again")
                #expect(try run.store.loadLogin() == nil)
            }
        }
    }

    @Test("login takes the token from HOMELAB_TOKEN (and the CA from HOMELAB_CA) when --token is absent")
    func loginTokenFromEnvironment() async throws {
        try await RealController.with { controller in
            let admin = try controller.adminToken
            let run = try Run(environment: ["HOMELAB_TOKEN": admin, "HOMELAB_CA": controller.opensslFingerprint])
            defer { run.directory.remove() }
            #expect(try await run(["login", controller.url]) == nil)
            #expect(try run.store.loadLogin() == SavedLogin(url: controller.url, token: admin))

            // The token really is the one from the environment: an unknown one there is refused.
            let refused = try Run(environment: ["HOMELAB_TOKEN": Self.unknownToken, "HOMELAB_CA": controller.opensslFingerprint])
            defer { refused.directory.remove() }
            let failure = try #require(try await refused(["login", controller.url]))
            #expect(failure.exitCode == 4)
            #expect(try refused.store.loadLogin() == nil)
        }
    }

    @Test("an unreachable controller gives exit 5 and 'connection refused', for the CA probe and for API calls")
    func unreachable() async throws {
        let (port, socket) = try Self.refusingPort()
        defer { close(socket) }
        let url = "https://127.0.0.1:\(port)"
        let run = try Run()
        defer { run.directory.remove() }

        let probe = try #require(try await run(["login", url, "--token", "t"]))
        #expect(probe.exitCode == 5)
        #expect(probe.message == "cannot reach the controller at \(url): connection refused")

        let api = try #require(try await run(["devices", "list", "--url", url, "--token", "t"]))
        #expect(api.exitCode == 5)
        #expect(api.message == "cannot reach the controller at \(url): connection refused")
    }

    @Test("after login, tokens create, devices list, show, approve and remove use the saved URL, token and CA")
    func commandsAfterLogin() async throws {
        try await RealController.with { controller in
            let run = try Run()
            defer { run.directory.remove() }
            #expect(try await run(["login", controller.url, "--token", try controller.adminToken, "--ca", controller.caPath]) == nil)

            // A join token made through the CLI, as the controller stored it.
            #expect(try await run(["tokens", "create", "--reusable", "--ttl", "7d", "--label", "room=attic"]) == nil)
            let created = try #require(try await Self.joinTokens(controller).first)
            #expect(created.reusable)
            #expect(created.labels == ["room": "attic"])
            #expect(abs(created.expiresAt.timeIntervalSince(created.createdAt) - 604_800) < 1)
            let token = try #require(run.console.output.split(separator: "\n").last { $0.hasPrefix("HLJ1.") }.map(String.init))
            let expires = Units.ago(try RealController.asServed(created).expiresAt, now: run.context.now)
            #expect(run.console.output.contains("A reusable join token (id \(created.id)), expires \(expires). It is not shown again."))
            #expect(run.console.output.contains("homelab-agent --controller 127.0.0.1:7444 --join-token \(token)\n"))

            // Real devices: two enroll with that token, one asks to join without one.
            let pi = try controller.startAgent(name: "pi-4", joinToken: token)
            defer { pi.stop() }
            let nas = try controller.startAgent(name: "nas", joinToken: token)
            defer { nas.stop() }
            let zero = try controller.startAgent(name: "pi-zero")
            defer { zero.stop() }
            try await controller.waitForDevice("pi-4") { $0.status == .online && $0.metrics != nil }
            try await controller.waitForDevice("nas") { $0.status == .online }
            let pending = try await controller.waitForDevice("pi-zero") { $0.status == .pending }
            #expect(try await Self.joinTokens(controller).first?.uses == 2)

            let live = try await table(run, ["devices", "list"])
            #expect(live.first?.hasPrefix("NAME") == true, "\(live)")
            #expect(live.dropFirst().map { $0.split(separator: " ").prefix(2).joined(separator: " ") } == ["nas online", "pi-4 online", "pi-zero pending"])

            let conflict = try #require(try await run(["devices", "approve", "pi-4"]))
            #expect(conflict.exitCode == 7 && conflict.controller?.code == .conflict)
            #expect(conflict.message == "device 'pi-4' is already enrolled")

            #expect(try await run(["devices", "approve", "pi-zero"]) == nil)
            #expect(run.console.output.hasSuffix("Approved device pi-zero (key \(pending.keyFingerprint))\n"))
            // Approved, the waiting agent gets its certificate and connects.
            try await controller.waitForDevice("pi-zero") { $0.status == .online }

            // With every agent stopped the devices hold still, and the table shows exactly what the controller has.
            for agent in [pi, nas, zero] { agent.stop() }
            try await expectOutput(run, controller, devices: ["nas", "pi-4", "pi-zero"], ["devices", "list"]) { devices in
                DeviceTable(devices: devices, now: run.context.now).render()
            }
            try await expectOutput(run, controller, devices: ["pi-4"], ["devices", "show", "pi-4"]) { devices in
                DeviceDetail(device: devices[0], now: run.context.now).render()
            }

            let missing = try #require(try await run(["devices", "show", "pi-9"]))
            #expect(missing.exitCode == 3)
            #expect(missing.message == "no device named 'pi-9'")

            #expect(try await run(["devices", "rm", "nas", "--yes"]) == nil)
            #expect(run.console.output.hasSuffix("Removed device nas\n"))
            await #expect(throws: HomelabError.self) { try await controller.app.context.registry.get("nas") }
            #expect(try await controller.app.context.registry.list().map(\.name) == ["pi-4", "pi-zero"])
        }
    }

    /// Runs `arguments` and expects it to print `expected(devices)`, `devices` being what the controller held (as served)
    /// under `names` both before and after the command ran; tries again when one changed meanwhile.
    private func expectOutput(
        _ run: Run, _ controller: RealController, devices names: [String], _ arguments: [String],
        sourceLocation: SourceLocation = #_sourceLocation, _ expected: ([DeviceResource]) -> String
    ) async throws {
        for _ in 0..<20 {
            let before = try await names.asyncMap { try await controller.device($0) }
            let start = run.console.output.count
            let failure = try await run(arguments)
            #expect(failure == nil, "\(failure?.message ?? "")", sourceLocation: sourceLocation)
            let printed = String(run.console.output.dropFirst(start))
            if try await names.asyncMap({ try await controller.device($0) }) == before {
                #expect(printed == expected(before), sourceLocation: sourceLocation)
                return
            }
        }
        Issue.record("the devices \(names) kept changing while \(arguments) ran", sourceLocation: sourceLocation)
    }

    /// Runs a table command and returns the lines it printed.
    private func table(_ run: Run, _ arguments: [String]) async throws -> [String] {
        let before = run.console.output.count
        let failure = try await run(arguments)
        #expect(failure == nil, "\(failure?.message ?? "")")
        return run.console.output.dropFirst(before).split(separator: "\n").map(String.init)
    }

    @Test("devices list -o json prints the list as the API returned it, filtered by --status")
    func jsonList() async throws {
        try await RealController.with { controller in
            let token = try await controller.app.context.tokens.createJoinToken(.init()).token
            let pi = try controller.startAgent(name: "pi-4", joinToken: token)
            defer { pi.stop() }
            // Asking again only after a minute, the pending device holds still while the list is taken.
            let zero = try controller.startAgent(name: "pi-zero", pendingPollInterval: "60s")
            defer { zero.stop() }
            try await controller.waitForDevice("pi-4") { $0.status == .online }
            let pending = try await controller.waitForDevice("pi-zero") { $0.status == .pending }

            let run = try Run(environment: ["HOMELAB_URL": controller.url, "HOMELAB_TOKEN": try controller.adminToken, "HOMELAB_CA": controller.caPath])
            defer { run.directory.remove() }
            #expect(try await run(["devices", "list", "-o", "json", "--status", "pending"]) == nil)

            #expect(run.console.output == (try JSONOutput.render(ListResponse(items: [pending]))))
            #expect(try await controller.device("pi-zero") == pending)
        }
    }

    @Test("a --ca fingerprint override pins the presented CA for an API call, and a wrong one stops the call")
    func fingerprintOverride() async throws {
        try await RealController.with { controller in
            let admin = try controller.adminToken
            let token = try await controller.app.context.tokens.createJoinToken(.init()).token
            let pi = try controller.startAgent(name: "pi-4", joinToken: token)
            defer { pi.stop() }
            try await controller.waitForDevice("pi-4") { $0.status == .online && $0.facts != nil && $0.metrics != nil }
            // Stopped, the device holds still while it is shown.
            pi.stop()

            let run = try Run()
            defer { run.directory.remove() }
            try await expectOutput(run, controller, devices: ["pi-4"],
                                   ["devices", "show", "pi-4", "--url", controller.url, "--token", admin, "--ca", controller.opensslFingerprint]) { devices in
                DeviceDetail(device: devices[0], now: run.context.now).render()
            }

            let mismatch = try #require(try await run(["devices", "show", "pi-4", "--url", controller.url, "--token", admin, "--ca", FingerprintTests.hex]))
            #expect(mismatch.exitCode == 5)
            #expect(mismatch.message.contains(FingerprintTests.hex))
            #expect(mismatch.message.contains(controller.fingerprint))

            let create = try #require(try await run(["tokens", "create", "--url", controller.url, "--token", admin, "--ca", FingerprintTests.hex]))
            #expect(create.exitCode == 5)
            #expect(try await Self.joinTokens(controller).count == 1)
        }
    }

    @Test("devices remove off a terminal without --yes refuses before touching the controller")
    func removeNeedsYes() async throws {
        try await RealController.with { controller in
            let token = try await controller.app.context.tokens.createJoinToken(.init()).token
            let nas = try controller.startAgent(name: "nas", joinToken: token)
            defer { nas.stop() }
            try await controller.waitForDevice("nas") { $0.status == .online }

            let run = try Run(environment: ["HOMELAB_URL": controller.url, "HOMELAB_TOKEN": try controller.adminToken, "HOMELAB_CA": controller.caPath])
            defer { run.directory.remove() }
            let failure = try #require(try await run(["devices", "remove", "nas"]))
            #expect(failure.exitCode == 64)
            #expect(failure.message.contains("--yes"))
            #expect(try await controller.device("nas").status == .online)
        }
    }
}

extension Array {
    /// `map` with an async transform, in order.
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
