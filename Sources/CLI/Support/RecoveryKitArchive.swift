import Foundation
import Protocol

/// The recovery kit as files (README.txt with the restic commands filled in, ca.pem, recovery.pem,
/// one password file per repository, kit.json), packed with `tar` and encrypted with
/// `gpg --symmetric` (AES-256) to a passphrase. The plaintext lives only in a private temporary
/// folder while gpg runs.
struct RecoveryKitArchive {
    let kit: RecoveryKit

    /// The password file of a repository inside the kit.
    static func passwordFile(_ repository: RecoveryKitRepository) -> String {
        "passwords/\(repository.name.replacingOccurrences(of: "/", with: "_")).txt"
    }

    /// Every file of the kit, by relative path.
    func files() throws -> [String: String] {
        let encoder = WireCoding.encoder
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        var files = ["README.txt": readme, "ca.pem": kit.caCertificate, "recovery.pem": kit.clientCertificate,
                     "kit.json": String(decoding: try encoder.encode(kit), as: UTF8.self) + "\n"]
        for repository in kit.repositories { files[Self.passwordFile(repository)] = repository.password + "\n" }
        return files
    }

    /// Writes the encrypted kit to `path`.
    func write(to path: String, passphrase: String, environment: [String: String]) throws {
        guard let gpg = Self.find("gpg", environment: environment), let tar = Self.find("tar", environment: environment) else {
            throw CLIError.localFile("gpg and tar are needed to write the kit (Debian: apt-get install gnupg tar)")
        }
        let base = environment["XDG_RUNTIME_DIR"].flatMap { FileManager.default.isWritableFile(atPath: $0) ? $0 : nil } ?? NSTemporaryDirectory()
        var template = Array((base + "/homelab-kit-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw CLIError.localFile("cannot make a private folder in \(base)") }
        let folder = String(cString: made)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let contents = folder + "/kit"
        for (name, text) in try files() {
            let url = URL(fileURLWithPath: contents + "/" + name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
            guard FileManager.default.createFile(atPath: url.path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
                throw CLIError.localFile("cannot write \(url.path)")
            }
        }
        let secret = folder + "/passphrase"
        guard FileManager.default.createFile(atPath: secret, contents: Data((passphrase + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            throw CLIError.localFile("cannot write \(secret)")
        }
        try Self.run(tar, ["-C", contents, "-cf", folder + "/kit.tar", "."])
        try Self.run(gpg, ["--batch", "--yes", "--quiet", "--pinentry-mode", "loopback", "--passphrase-file", secret, "--symmetric",
                           "--cipher-algo", "AES256", "--s2k-digest-algo", "SHA512", "--s2k-count", "65011712",
                           "--output", path, folder + "/kit.tar"])
    }

    private static func find(_ tool: String, environment: [String: String]) -> String? {
        let folders = (environment["PATH"] ?? "").split(separator: ":").map(String.init) + ["/usr/bin", "/bin"]
        return folders.map { $0 + "/" + tool }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    private static func run(_ executable: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let said = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CLIError.localFile("\(URL(fileURLWithPath: executable).lastPathComponent) failed: \(String(decoding: said, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))")
        }
    }

    /// The kit's README: what it holds and the commands that restore with plain restic.
    var readme: String {
        var text = """
            homelab recovery kit, made \(ISO8601DateFormatter().string(from: kit.createdAt))

            What is here
              ca.pem         the homelab's CA: restic --cacert
              recovery.pem   a client certificate and key that may read every repository: restic --tls-client-cert
              passwords/     one file per repository: restic --password-file
              kit.json       all of it, for 'homelab-controller restore --kit DIR'

            Every repository is a restic repository. Over the network (the target's agent running):
              restic -r URL --cacert ca.pem --tls-client-cert recovery.pem --password-file passwords/NAME.txt snapshots
            On the target device itself, or on a copy of its folder (no agent needed):
              restic -r PATH --password-file passwords/NAME.txt snapshots
            A backup run is complete when it has a snapshot tagged kind=manifest; restore each volume with
              restic ... restore SNAPSHOT --target DIR     (the volume's files land in DIR/_data)
            and a dump with
              restic ... dump SNAPSHOT /FILE > FILE

            Repositories

            """
        for repository in kit.repositories {
            text += "  \(repository.name)\(repository.app.map { " (app \($0))" } ?? "") on \(repository.target)\n"
            if let url = repository.url { text += "    url:      \(url)\n" }
            text += "    path:     \(repository.path)\n    password: \(Self.passwordFile(repository))\n"
            if let url = repository.url {
                text += "    restic -r \(url) --cacert ca.pem --tls-client-cert recovery.pem --password-file \(Self.passwordFile(repository)) snapshots --tag kind=manifest\n"
            }
            text += "\n"
        }
        return text
    }
}
