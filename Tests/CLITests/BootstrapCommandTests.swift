import ArgumentParser
import Foundation
import Protocol
import Testing
@testable import CLI

@Suite("scan and devices add|uninstall: parsing and output")
struct BootstrapCommandTests {
    static func refuses(_ arguments: [String], saying text: String) {
        do {
            _ = try HomelabCommand.parseAsRoot(arguments)
            Issue.record("\(arguments) should not parse")
        } catch {
            #expect(HomelabCommand.exitCode(for: error).rawValue == 64)
            #expect(HomelabCommand.message(for: error).contains(text), "\(HomelabCommand.message(for: error))")
        }
    }

    @Test("devices add takes a HOST or --from-scan, one login method, and --save-key only with --key")
    func addValidation() throws {
        Self.refuses(["devices", "add"], saying: "give a HOST (or --from-scan)")
        Self.refuses(["devices", "add", "pi", "--from-scan"], saying: "not both")
        Self.refuses(["devices", "add", "pi", "--key", "k", "--password-stdin"], saying: "give --key or --password-stdin, not both")
        Self.refuses(["devices", "add", "pi", "--password-stdin", "--save-key"], saying: "--save-key needs --key")
        Self.refuses(["devices", "add", "pi", "--select", "10.0.0.2"], saying: "--select goes with --from-scan")
        Self.refuses(["devices", "add", "pi", "--port", "70000"], saying: "--port must be between 1 and 65535")
        let command = try #require(try HomelabCommand.parseAsRoot(
            ["devices", "add", "pi.local", "--user", "admin", "--sudo", "--port", "2222", "--name", "pi", "--group", "attic",
             "--accept-host-key", "SHA256:abc", "--install-docker"]) as? DevicesAdd)
        #expect(command.request(host: "pi.local", key: "KEY", password: nil, accept: "SHA256:abc") == BootstrapRequest(
            host: "pi.local", port: 2222, user: "admin", privateKey: "KEY", sudo: true, name: "pi", group: "attic",
            acceptHostKey: "SHA256:abc", installDocker: true))
    }

    @Test("with --save-key the key's path goes to the controller, not the key")
    func saveKey() throws {
        let command = try #require(try HomelabCommand.parseAsRoot(["devices", "add", "nas", "--key", "/keys/id", "--save-key"]) as? DevicesAdd)
        let request = command.request(host: "nas", key: "SECRET", password: nil, accept: nil)
        #expect(request.privateKey == nil)
        #expect(request.privateKeyPath == "/keys/id")
        #expect(request.saveKeyReference == true)
    }

    @Test("scan takes CIDRs as its default subcommand; results and cancel are subcommands; bad ports are refused")
    func scanParsing() throws {
        let run = try #require(try HomelabCommand.parseAsRoot(["scan", "192.168.1.0/24", "--ports", "22, 80", "--time-limit", "30"]) as? ScanRun)
        #expect(run.targets == ["192.168.1.0/24"])
        #expect(run.parsedPorts(run.ports ?? "") == [22, 80])
        #expect(try HomelabCommand.parseAsRoot(["scan", "results"]) is ScanResults)
        #expect(try HomelabCommand.parseAsRoot(["scan", "cancel", "abc"]) is ScanCancel)
        Self.refuses(["scan", "--ports", "22,ssh"], saying: "--ports takes numbers")
    }

    @Test("the scan table shows each host's services, guess, agent and when it was seen")
    func scanTable() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let candidates = [
            ScanCandidate(address: "192.168.1.10", mac: "dc:a6:32:01:02:03", vendor: "Raspberry Pi Trading", hostname: "pi4.lan",
                          services: [ScannedService(port: 22, name: "ssh", banner: "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3")],
                          os: "Debian 12", guess: .raspberryPi, hasAgent: false, firstSeenAt: now - 600, lastSeenAt: now - 5, scanID: "s1"),
            ScanCandidate(address: "192.168.1.20", services: [ScannedService(port: 445, name: "smb"), ScannedService(port: 5001, name: "synology-dsm-https")],
                          guess: .nas, hasAgent: true, device: "nas", firstSeenAt: now, lastSeenAt: now, scanID: "s1"),
            ScanCandidate(address: "192.168.1.30", services: [], guess: .unknown, hasAgent: false, firstSeenAt: now, lastSeenAt: now, scanID: "s1"),
        ]
        #expect(ScanTable(candidates: candidates, now: now).render() == """
            ADDRESS       NAME     MAC                VENDOR                GUESS         OS         SERVICES                         AGENT  SEEN
            192.168.1.10  pi4.lan  dc:a6:32:01:02:03  Raspberry Pi Trading  raspberry-pi  Debian 12  ssh:22                           no     5s ago
            192.168.1.20  -        -                  -                     nas           -          smb:445,synology-dsm-https:5001  nas    0s ago
            192.168.1.30  -        -                  -                     unknown       -          -                                no     0s ago

            """)
    }

    @Test("bootstrap steps print as aligned plain lines; a failure ends the command with its message")
    func stepLines() {
        let step = BootstrapStep(step: "upload", status: "done", message: "checksum verified", time: Date())
        #expect(BootstrapFollower.line(step, style: Style(colorEnabled: false)) == "  upload       done     checksum verified")
        let failed = BootstrapResource(id: "x", kind: "install", host: "pi", port: 22, user: "root", state: .failed,
                                       failure: BootstrapFailure(code: "authentication_failed", message: "pi: Permission denied (publickey)"),
                                       startedAt: Date())
        let error = BootstrapFollower.error(failed)
        #expect(error.message == "pi: Permission denied (publickey)")
        #expect(error.exitCode == 1)
    }
}
