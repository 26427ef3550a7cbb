import ArgumentParser
import Protocol
import Testing
@testable import CLI

@Suite("command line parsing")
struct ParsingTests {
    @Test("--ttl accepts seconds and s/m/h/d/w units", arguments: [
        ("7d", 604_800), ("24h", 86_400), ("30m", 1800), ("90s", 90), ("3600", 3600), ("2w", 1_209_600), ("1D", 86_400),
    ])
    func ttlUnits(text: String, seconds: Int) throws {
        #expect(try TTL(parsing: text).seconds == seconds)
    }

    @Test("--ttl rejects bad values", arguments: ["", "d", "5x", "-1h", "0", "1.5h", "h1", "99999999999999999999d"])
    func ttlRejects(text: String) {
        #expect(throws: ValidationError.self) { try TTL(parsing: text) }
    }

    @Test("tokens create --ttl 7d asks for 604800 seconds")
    func tokensCreateTTL() throws {
        let command = try #require(try HomelabCommand.parseAsRoot(["tokens", "create", "--ttl", "7d"]) as? TokensCreate)
        #expect(try command.request() == CreateTokenRequest(reusable: false, ttlSeconds: 604_800, labels: [:], description: nil))
    }

    @Test("tokens create without --ttl leaves the lifetime to the controller")
    func tokensCreateDefaults() throws {
        let command = try #require(try HomelabCommand.parseAsRoot(["tokens", "create"]) as? TokensCreate)
        #expect(try command.request() == CreateTokenRequest())
    }

    @Test("a bad --ttl is a usage error (64) that says how to write one")
    func badTTLMessage() {
        do {
            _ = try HomelabCommand.parseAsRoot(["tokens", "create", "--ttl", "soon"])
            Issue.record("parsing should fail")
        } catch {
            #expect(HomelabCommand.exitCode(for: error).rawValue == 64)
            let message = HomelabCommand.message(for: error)
            #expect(message.contains("'soon'"))
            #expect(message.contains("like 30m, 24h or 7d"))
        }
    }

    @Test("--label key=value options become the token's labels")
    func labels() throws {
        let command = try #require(try HomelabCommand.parseAsRoot([
            "tokens", "create", "--reusable", "--label", "room=attic", "--label", "tier=edge=1", "--label", "empty=", "--description", "attic Pis",
        ]) as? TokensCreate)
        #expect(try command.request() == CreateTokenRequest(
            reusable: true, ttlSeconds: nil, labels: ["room": "attic", "tier": "edge=1", "empty": ""], description: "attic Pis"
        ))
    }

    @Test("a label without '=', with an empty key or given twice is refused", arguments: [
        (["room"], "must be key=value"), (["=x"], "empty key"), (["a=1", "a=2"], "given twice"),
    ])
    func badLabels(labels: [String], expected: String) {
        let arguments = ["tokens", "create"] + labels.flatMap { ["--label", $0] }
        do {
            _ = try HomelabCommand.parseAsRoot(arguments)
            Issue.record("parsing should fail")
        } catch {
            #expect(HomelabCommand.exitCode(for: error).rawValue == 64)
            #expect(HomelabCommand.message(for: error).contains(expected))
        }
    }

    @Test("global options parse on every API command, -o included")
    func globalOptions() throws {
        let command = try #require(try HomelabCommand.parseAsRoot([
            "devices", "ls", "-o", "json", "--url", "https://10.0.0.2:7443", "--token", "t0k", "--ca", "ca.pem", "--status", "pending",
        ]) as? DevicesList)
        #expect(command.global.output == .json)
        #expect(command.global.overrides == ConnectionOverrides(url: "https://10.0.0.2:7443", token: "t0k", ca: "ca.pem"))
        #expect(command.status == .pending)
    }

    @Test("rm is remove and -y skips the question")
    func removeAlias() throws {
        let command = try #require(try HomelabCommand.parseAsRoot(["devices", "rm", "pi-4", "-y"]) as? DevicesRemove)
        #expect(command.name == "pi-4")
        #expect(command.yes)
    }

    @Test("an unknown --status or --output value is a usage error", arguments: [
        ["devices", "list", "--status", "sleeping"], ["tokens", "list", "-o", "yaml"],
    ])
    func badEnumValues(arguments: [String]) {
        #expect(throws: (any Error).self) { try HomelabCommand.parseAsRoot(arguments) }
        do { _ = try HomelabCommand.parseAsRoot(arguments) } catch {
            #expect(HomelabCommand.exitCode(for: error).rawValue == 64)
        }
    }

    @Test("login refuses a URL that is not https")
    func loginURL() {
        do {
            _ = try HomelabCommand.parseAsRoot(["login", "http://10.0.0.2:7443", "--token", "t"])
            Issue.record("parsing should fail")
        } catch {
            #expect(HomelabCommand.exitCode(for: error).rawValue == 64)
            #expect(HomelabCommand.message(for: error).contains("served over https"))
        }
    }

    @Test("controller URLs are normalized; a bare host gets port 7443", arguments: [
        ("https://10.0.0.2:7443/", "https://10.0.0.2:7443"),
        ("10.0.0.2", "https://10.0.0.2:7443"),
        ("nas.local:8443", "https://nas.local:8443"),
        ("https://controller.example", "https://controller.example:443"),
        ("https://[fd00::1]:7443", "https://[fd00::1]:7443"),
        (" HTTPS://10.0.0.2:7443 ", "https://10.0.0.2:7443"),
    ])
    func controllerURL(text: String, normalized: String) throws {
        #expect(try ControllerURL(parsing: text).description == normalized)
    }

    @Test("API paths percent-encode names so they cannot change the route")
    func paths() {
        #expect(APIPaths.device("pi-4") == "/v1/devices/pi-4")
        #expect(APIPaths.approve("a b/c") == "/v1/devices/a%20b%2Fc/approve")
        #expect(APIPaths.device("..") == "/v1/devices/%2E%2E")
        #expect(APIPaths.token("tk-1") == "/v1/tokens/tk-1")
    }

    @Test("homelab devices --help lists the subcommands with their aliases")
    func devicesHelp() {
        #expect(HomelabCommand.helpMessage(for: DevicesCommand.self, columns: 80) == """
            OVERVIEW: List, inspect, add over SSH, approve, evacuate, uninstall and remove
            devices.

            USAGE: homelab devices <subcommand>

            OPTIONS:
              -h, --help              Show help information.

            SUBCOMMANDS:
              list, ls                List devices with status and latest metrics.
              show                    Show a device's identity, labels, facts and latest
                                      metrics.
              add                     Install an agent on a host over SSH (or upgrade it in
                                      place) and wait until it is online.
              approve                 Admit a pending device (check its key fingerprint
                                      first).
              uninstall               Remove a device's agent, its unit and files over SSH,
                                      then the device (apps stay unless --remove-apps).
              remove, rm              Remove a device; it must join again to come back.
              evacuate                Move every app off a device with its data, one at a
                                      time, and end with a summary.

              See 'homelab help devices <subcommand>' for detailed help.
            """)
    }

    @Test("the root help documents the exit codes and completion")
    func rootHelp() {
        let help = HomelabCommand.helpMessage(columns: 100)
        for line in ["0   success", "3   not found", "4   unauthorized", "5   controller unreachable", "6   not logged in", "64  usage error", "--generate-completion-script"] {
            #expect(help.contains(line))
        }
    }

    @Test("homelab completion prints a script for each shell and refuses others")
    func completion() throws {
        for shell in ["bash", "zsh", "fish"] {
            #expect(throws: Never.self) { try HomelabCommand.parseAsRoot(["completion", shell]) }
        }
        #expect(HomelabCommand.completionScript(for: .bash).contains("devices"))
        #expect(throws: (any Error).self) { try HomelabCommand.parseAsRoot(["completion", "powershell"]) }
    }
}
