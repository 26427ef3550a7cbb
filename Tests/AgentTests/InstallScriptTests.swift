import Foundation
import Testing
import TestSupport

/// `deploy/install-agent.sh` into a scratch root (DESTDIR): the files a boot-time self-registration needs.
@Suite("Agent installer")
struct InstallScriptTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let agent = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("homelab-agent")

    func install(_ arguments: [String], into destination: String) throws -> (status: Int32, output: String) {
        let result = try ChildProcess.run("/bin/bash", [Self.root.appendingPathComponent("deploy/install-agent.sh").path] + arguments,
                                          environment: ["DESTDIR": destination, "PATH": "/usr/bin:/bin:/usr/sbin:/sbin"])
        return (result.status, result.output + result.errors)
    }

    @Test("a token is all the config holds: the agent will find the controller; files get safe modes")
    func installs() throws {
        let destination = FileManager.default.temporaryDirectory.appendingPathComponent("install-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: destination) }
        let result = try install(["--token", "HLJ1.abc.def.ghi", "--binary", Self.agent.path, "--name", "pi-kitchen"], into: destination)
        #expect(result.status == 0, "\(result.output)")
        let config = try String(contentsOfFile: destination + "/etc/homelab/agent.yaml", encoding: .utf8)
        #expect(config.contains("join_token: HLJ1.abc.def.ghi\n"))
        #expect(config.contains("name: pi-kitchen\n"))
        #expect(!config.contains("controller:"))
        let attributes = try FileManager.default.attributesOfItem(atPath: destination + "/etc/homelab/agent.yaml")
        #expect((attributes[.posixPermissions] as? Int) == 0o600, "the token is a secret")
        let unit = try String(contentsOfFile: destination + "/etc/systemd/system/homelab-agent.service", encoding: .utf8)
        #expect(unit.contains("ExecStart=/usr/local/bin/homelab-agent --config /etc/homelab/agent.yaml"))
        #expect(unit.contains("NoNewPrivileges=true") && unit.contains("ProtectSystem=strict") && unit.contains("Restart=on-failure"))
        #expect(FileManager.default.isExecutableFile(atPath: destination + "/usr/local/bin/homelab-agent"))
    }

    @Test("a value that is not a join token, or no binary, is refused before anything is written")
    func refuses() throws {
        let destination = FileManager.default.temporaryDirectory.appendingPathComponent("install-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: destination) }
        let badToken = try install(["--token", "hunter2", "--binary", Self.agent.path], into: destination)
        #expect(badToken.status == 64)
        #expect(badToken.output.contains("is not a join token"))
        let noBinary = try install(["--token", "HLJ1.a.b.c", "--binary", "/nonexistent/homelab-agent"], into: destination)
        #expect(noBinary.status == 66)
        #expect(noBinary.output.contains("no agent binary at /nonexistent/homelab-agent"))
        #expect(!FileManager.default.fileExists(atPath: destination + "/etc/homelab/agent.yaml"))
    }
}
