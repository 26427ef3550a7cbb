import Foundation
import NIOCore
import NIOPosix
import Protocol
import Testing
@testable import CLI

/// Real TLS over 127.0.0.1 against a fake controller that presents a leaf + CA chain made by openssl.
@Suite("login and API calls over TLS")
struct LoginTests {
    /// Runs a parsed command in a context with its own config directory.
    struct Run {
        let directory: TemporaryDirectory
        let console: TestConsole
        var context: CommandContext

        init(console: TestConsole = TestConsole(), environment: [String: String] = [:]) throws {
            directory = try TemporaryDirectory()
            self.console = console
            context = CommandContext(environment: environment, configDirectory: directory.path + "/homelab", console: console, now: Fixtures.now)
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
    static func closedPort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress!.port!
        try await channel.close()
        return port
    }

    @Test("login with the right fingerprint pins the presented CA and saves URL and token")
    func loginWithFingerprint() async throws {
        let controller = try await FakeController.start()
        let run = try Run()
        defer { run.directory.remove() }
        let fingerprint = try #require(CAFingerprint(parsing: controller.certificates.fingerprintText))

        let expected = try CACertificate(pemFile: controller.certificates.caPath)
        let failure = try await run(["login", controller.url, "--token", FakeController.token, "--ca", "sha256:\(fingerprint.hex.uppercased())"])
        await controller.stop()

        #expect(failure == nil)
        #expect(run.console.output == "Logged in to \(controller.url) (controller v0.1.0, CA sha256:\(fingerprint.hex))\n")
        #expect(try run.store.loadLogin() == SavedLogin(url: controller.url, token: FakeController.token))
        let saved = try CACertificate(pem: try #require(run.store.loadCAPEM()), origin: "saved")
        #expect(saved == expected)
        #expect(saved.fingerprint == fingerprint)
        #expect(run.console.errors == "")
    }

    @Test("login with a wrong fingerprint is refused with exit 5, names both fingerprints and saves nothing")
    func loginWithWrongFingerprint() async throws {
        let controller = try await FakeController.start()
        let run = try Run()
        defer { run.directory.remove() }
        let wrong = String(repeating: "0", count: 64)

        let failure = try #require(try await run(["login", controller.url, "--token", FakeController.token, "--ca", wrong]))
        await controller.stop()

        let presented = try #require(CAFingerprint(parsing: controller.certificates.fingerprintText))
        #expect(failure.exitCode == 5)
        #expect(failure.message.contains(presented.hex))
        #expect(failure.message.contains(wrong))
        #expect(try run.store.loadLogin() == nil)
        // The probe sends no request: the token never left for an unverified controller.
        #expect(controller.received.isEmpty)
    }

    @Test("login with the CA file trusts exactly that CA")
    func loginWithFile() async throws {
        let controller = try await FakeController.start()
        let run = try Run()
        defer { run.directory.remove() }

        let expected = try CACertificate(pemFile: controller.certificates.caPath)
        let failure = try await run(["login", controller.url, "--token", FakeController.token, "--ca", controller.certificates.caPath])
        await controller.stop()

        #expect(failure == nil)
        #expect(run.store.loadCAPEM() == expected.pem)
    }

    @Test("login with another CA's file fails the TLS handshake with exit 5")
    func loginWithOtherCAFile() async throws {
        let controller = try await FakeController.start()
        let other = try TestCertificates(caName: "Someone Else's CA")
        defer { other.directory.remove() }
        let run = try Run()
        defer { run.directory.remove() }

        let failure = try #require(try await run(["login", controller.url, "--token", FakeController.token, "--ca", other.caPath]))
        await controller.stop()

        #expect(failure.exitCode == 5)
        #expect(failure.message.hasPrefix("cannot reach the controller at \(controller.url): TLS handshake failed"))
        #expect(failure.message.contains("not signed by the pinned CA sha256:\(try CACertificate(pemFile: other.caPath).fingerprint.hex)"))
        #expect(controller.received.isEmpty)
    }

    @Test("without a pinned CA the system trust store refuses the private CA with exit 5")
    func systemTrustRefusesPrivateCA() async throws {
        let controller = try await FakeController.start()
        let run = try Run(environment: ["HOMELAB_URL": controller.url, "HOMELAB_TOKEN": FakeController.token])
        defer { run.directory.remove() }

        let failure = try #require(try await run(["devices", "list"]))
        await controller.stop()

        #expect(failure.exitCode == 5)
        #expect(failure.message.contains("not trusted by this system"))
        #expect(controller.received.isEmpty)
    }

    @Test("login without --ca off a terminal refuses and shows the fingerprint to pass")
    func loginNeedsCAOffTerminal() async throws {
        let controller = try await FakeController.start()
        let run = try Run()
        defer { run.directory.remove() }

        let failure = try #require(try await run(["login", controller.url, "--token", FakeController.token]))
        await controller.stop()

        let presented = try #require(CAFingerprint(parsing: controller.certificates.fingerprintText))
        #expect(failure.exitCode == 64)
        #expect(failure.message.contains("--ca \(presented.hex)"))
        #expect(failure.message.contains("Test Homelab CA"))
        #expect(try run.store.loadLogin() == nil)
    }

    @Test("login without --ca on a terminal asks, and pins the CA only on yes")
    func loginAsks() async throws {
        let controller = try await FakeController.start()
        let presented = try #require(CAFingerprint(parsing: controller.certificates.fingerprintText))

        let declined = try Run(console: TestConsole(outputIsTerminal: true, inputIsTerminal: true, answers: ["n"]))
        defer { declined.directory.remove() }
        let refusal = try #require(try await declined(["login", controller.url, "--token", FakeController.token]))
        #expect(refusal.code == .aborted)
        #expect(refusal.exitCode == 1)
        #expect(declined.console.errors.contains("fingerprint: sha256:\(presented.hex)"))
        #expect(declined.console.errors.contains("Trust this controller CA? [y/N] "))
        #expect(try declined.store.loadLogin() == nil)

        let accepted = try Run(console: TestConsole(outputIsTerminal: true, inputIsTerminal: true, answers: ["y"]))
        defer { accepted.directory.remove() }
        #expect(try await accepted(["login", controller.url, "--token", FakeController.token]) == nil)
        #expect(try accepted.store.loadLogin()?.token == FakeController.token)
        await controller.stop()
    }

    @Test("login with a token the controller refuses exits 4 and saves nothing")
    func loginWrongToken() async throws {
        let controller = try await FakeController.start()
        let run = try Run()
        defer { run.directory.remove() }

        let failure = try #require(try await run(["login", controller.url, "--token", "wrong", "--ca", controller.certificates.fingerprintText]))
        await controller.stop()

        #expect(failure.exitCode == 4)
        #expect(failure.message == "the controller refused the token; run homelab login again")
        #expect(try run.store.loadLogin() == nil)
    }

    @Test("login takes the token from HOMELAB_TOKEN when --token is absent")
    func loginTokenFromEnvironment() async throws {
        let controller = try await FakeController.start()
        let run = try Run(environment: ["HOMELAB_TOKEN": FakeController.token, "HOMELAB_CA": controller.certificates.fingerprintText])
        defer { run.directory.remove() }
        #expect(try await run(["login", controller.url]) == nil)
        await controller.stop()
        #expect(controller.received.first?.authorization == "Bearer \(FakeController.token)")
    }

    @Test("an unreachable controller gives exit 5 and 'connection refused', for the CA probe and for API calls")
    func unreachable() async throws {
        let port = try await Self.closedPort()
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

    @Test("after login, devices list, show, approve, remove and tokens create use the saved URL, token and CA")
    func commandsAfterLogin() async throws {
        let controller = try await FakeController.start()
        let run = try Run()
        defer { run.directory.remove() }
        #expect(try await run(["login", controller.url, "--token", FakeController.token, "--ca", controller.certificates.caPath]) == nil)

        #expect(try await run(["devices", "list"]) == nil)
        #expect(run.console.output.contains(DeviceTable(devices: Fixtures.devices, now: Fixtures.now).render()))

        let missing = try #require(try await run(["devices", "show", "pi-9"]))
        #expect(missing.exitCode == 3)
        #expect(missing.message == "no route or no such thing: /v1/devices/pi-9")

        let conflict = try #require(try await run(["devices", "approve", "pi-4"]))
        #expect(conflict.exitCode == 1)
        #expect(conflict.message == "device pi-4 is not pending")

        #expect(try await run(["devices", "approve", "pi-zero"]) == nil)
        #expect(run.console.output.hasSuffix("Approved device pi-zero (key SHA256:zerozero)\n"))

        #expect(try await run(["devices", "rm", "nas", "--yes"]) == nil)
        #expect(run.console.output.hasSuffix("Removed device nas\n"))

        #expect(try await run(["tokens", "create", "--reusable", "--ttl", "7d", "--label", "room=attic"]) == nil)
        #expect(run.console.output.contains("homelab-agent --controller 127.0.0.1:7444 --join-token HLJ1."))
        let create = try #require(controller.received.last)
        #expect(try WireCoding.decoder.decode(CreateTokenRequest.self, from: Data(create.body.utf8))
            == CreateTokenRequest(reusable: true, ttlSeconds: 604_800, labels: ["room": "attic"]))
        await controller.stop()
    }

    @Test("devices list -o json prints the list as the API returned it, filtered by --status")
    func jsonList() async throws {
        let controller = try await FakeController.start()
        let run = try Run(environment: ["HOMELAB_URL": controller.url, "HOMELAB_TOKEN": FakeController.token, "HOMELAB_CA": controller.certificates.caPath])
        defer { run.directory.remove() }

        #expect(try await run(["devices", "list", "-o", "json", "--status", "pending"]) == nil)
        await controller.stop()

        #expect(run.console.output == (try JSONOutput.render(ListResponse(items: [Fixtures.newcomer]))))
    }

    @Test("a --ca fingerprint override pins the presented CA for an API call")
    func fingerprintOverride() async throws {
        let controller = try await FakeController.start()
        let run = try Run()
        defer { run.directory.remove() }

        #expect(try await run(["devices", "show", "pi-4", "--url", controller.url, "--token", FakeController.token, "--ca", controller.certificates.fingerprintText]) == nil)
        #expect(run.console.output == DeviceDetail(device: Fixtures.pi, now: Fixtures.now).render())

        let mismatch = try #require(try await run(["devices", "show", "pi-4", "--url", controller.url, "--token", FakeController.token, "--ca", FingerprintTests.hex]))
        #expect(mismatch.exitCode == 5)
        await controller.stop()
    }

    @Test("devices remove off a terminal without --yes refuses before touching the controller")
    func removeNeedsYes() async throws {
        let run = try Run(environment: ["HOMELAB_URL": "https://127.0.0.1:1", "HOMELAB_TOKEN": "t"])
        defer { run.directory.remove() }
        let failure = try #require(try await run(["devices", "remove", "nas"]))
        #expect(failure.exitCode == 64)
        #expect(failure.message.contains("--yes"))
    }
}
