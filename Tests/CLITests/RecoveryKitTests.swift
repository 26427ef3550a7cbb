import Foundation
import Protocol
import Testing
import TestSupport
@testable import CLI

/// `homelab backup export-keys`: the kit's files, packed and encrypted with gpg, opened again with gpg and tar.
@Suite("Recovery kit", .enabled(if: Prerequisite.runs(with: "/usr/bin/gpg"), "gpg is not installed (apt-get install gnupg)"))
struct RecoveryKitTests {
    static let kit = RecoveryKit(
        createdAt: Date(timeIntervalSince1970: 1_700_000_000), caCertificate: "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n",
        clientCertificate: "-----BEGIN CERTIFICATE-----\nRECOVERY\n-----END CERTIFICATE-----\n",
        repositories: [
            RecoveryKitRepository(name: "apps/vaultwarden", app: "vaultwarden", target: "nas", url: "rest:https://198.18.0.10:7447/apps/vaultwarden/",
                                  path: "/srv/homelab-backups/apps/vaultwarden", password: "first-password"),
            RecoveryKitRepository(name: "controller", app: nil, target: "nas", url: "rest:https://198.18.0.10:7447/controller/",
                                  path: "/srv/homelab-backups/controller", password: "second-password"),
        ])

    @Test("the kit opens with gpg and the passphrase, and holds the CA, the identity, a password file per repository and the commands")
    func roundTrip() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let runtime = dir.path + "/runtime"
        try FileManager.default.createDirectory(atPath: runtime, withIntermediateDirectories: true)
        let output = dir.path + "/kit.tar.gpg"
        try RecoveryKitArchive(kit: Self.kit).write(to: output, passphrase: "a long enough passphrase",
                                                     environment: ["PATH": "/usr/bin:/bin", "XDG_RUNTIME_DIR": runtime])
        #expect(try FileManager.default.contentsOfDirectory(atPath: runtime).isEmpty, "no plaintext left behind")
        let encrypted = try Data(contentsOf: URL(fileURLWithPath: output))
        #expect(!encrypted.isEmpty && String(decoding: encrypted, as: UTF8.self).contains("first-password") == false)

        let passphrase = try dir.write("passphrase", "a long enough passphrase\n")
        try FileManager.default.createDirectory(atPath: dir.path + "/opened", withIntermediateDirectories: true)
        let opened = try ChildProcess.run("/bin/sh", ["-c", "gpg --batch --quiet --pinentry-mode loopback --passphrase-file \(passphrase) -d \(output) | tar -x -C \(dir.path)/opened"],
                                          environment: ["HOME": dir.path, "PATH": "/usr/bin:/bin"])
        #expect(opened.status == 0, "\(opened.errors)")
        let files = dir.path + "/opened"
        #expect(try String(contentsOfFile: files + "/passwords/apps_vaultwarden.txt", encoding: .utf8) == "first-password\n")
        #expect(try String(contentsOfFile: files + "/passwords/controller.txt", encoding: .utf8) == "second-password\n")
        #expect(try String(contentsOfFile: files + "/ca.pem", encoding: .utf8) == Self.kit.caCertificate)
        #expect(try String(contentsOfFile: files + "/recovery.pem", encoding: .utf8) == Self.kit.clientCertificate)
        let decoded = try WireCoding.decoder.decode(RecoveryKit.self, from: Data(contentsOf: URL(fileURLWithPath: files + "/kit.json")))
        #expect(decoded == Self.kit)
        let readme = try String(contentsOfFile: files + "/README.txt", encoding: .utf8)
        #expect(readme.contains("restic -r rest:https://198.18.0.10:7447/apps/vaultwarden/ --cacert ca.pem --tls-client-cert recovery.pem --password-file passwords/apps_vaultwarden.txt snapshots"))

        let wrong = try dir.write("wrong", "not the passphrase\n")
        let refused = try ChildProcess.run("/usr/bin/gpg", ["--batch", "--quiet", "--pinentry-mode", "loopback", "--passphrase-file", wrong, "-d", output],
                                           environment: ["HOME": dir.path, "PATH": "/usr/bin:/bin"])
        #expect(refused.status != 0, "a wrong passphrase opened the kit")
    }

    @Test("a passphrase shorter than 12 characters, two that differ, or no terminal and no file are refused before anything is fetched")
    func passphraseChecks() async throws {
        let environment = ["HOMELAB_URL": "https://127.0.0.1:1", "HOMELAB_TOKEN": "HLA1.x", "HOMELAB_CA": String(repeating: "a", count: 64)]
        for (answers, terminal, expected) in [(["short"], true, "at least 12"), (["a long passphrase", "another one"], true, "differ"),
                                              ([String](), false, "--passphrase-file")] {
            let console = TestConsole(inputIsTerminal: terminal, answers: answers)
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let context = CommandContext(environment: environment, configDirectory: dir.path, console: console)
            let command = try BackupExportKeys.parse(["--file", dir.path + "/kit.tar.gpg"])
            do {
                try await command.run(in: context)
                Issue.record("export-keys went on with \(answers)")
            } catch let error as CLIError {
                #expect(error.code == .usage && error.message.contains(expected), "\(error.message)")
            }
            #expect(!FileManager.default.fileExists(atPath: dir.path + "/kit.tar.gpg"))
        }
    }
}
