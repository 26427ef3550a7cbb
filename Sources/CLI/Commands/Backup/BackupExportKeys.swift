import ArgumentParser
import Foundation
import Protocol

/// `homelab backup export-keys`: the recovery kit, encrypted to a passphrase with `gpg --symmetric`.
public struct BackupExportKeys: AsyncParsableCommand {
    /// Name and help.
    public static let configuration = CommandConfiguration(
        commandName: "export-keys",
        abstract: "Write the recovery kit: every repository's location and password, encrypted to a passphrase you choose.",
        discussion: """
            With the kit, plain restic restores even when the controller is gone. It is a tar archive \
            encrypted with gpg (AES-256): open it with 'gpg -d FILE | tar -x', then follow its README.txt \
            (docs/backups.md). Keep it off the homelab, with the passphrase somewhere else.
            """
    )

    /// Output and connection options.
    @OptionGroup public var global: GlobalOptions
    /// Where the kit goes.
    @Option(name: .shortAndLong, help: ArgumentHelp("The encrypted kit to write.", valueName: "file"))
    public var file: String = "homelab-recovery-kit.tar.gpg"
    /// A file holding the passphrase (its first line).
    @Option(help: ArgumentHelp("Read the passphrase from the first line of this file instead of asking.", valueName: "file"))
    public var passphraseFile: String?
    /// Replace an existing file.
    @Flag(help: "Replace the output file if it exists.") public var force = false

    /// Creates the command.
    public init() {}

    /// Runs in the process's context.
    public func run() async throws { try await run(in: .live()) }

    /// Fetches the kit, packs it and encrypts it; no plaintext stays on disk.
    public func run(in context: CommandContext) async throws {
        let settings = try global.settings(in: context)
        if !force && FileManager.default.fileExists(atPath: file) {
            throw CLIError.usage("\(file) exists: give another --file, or --force to replace it")
        }
        let passphrase = try readPassphrase(context)
        let kit = try await APIClient.withClient(settings) { client in try await client.post(APIPaths.recoveryKit, as: RecoveryKit.self) }
        try RecoveryKitArchive(kit: kit).write(to: file, passphrase: passphrase, environment: context.environment)
        switch global.output {
        case .json:
            context.console.write(try JSONOutput.render(["file": file, "repositories": "\(kit.repositories.count)"]))
        case .table:
            context.console.write("""
                Wrote \(file): \(kit.repositories.count) repositories, encrypted with gpg to your passphrase.
                Open it with: gpg -d \(file) | tar -x -C DIR   (then read DIR/README.txt)

                """)
        }
    }

    private func readPassphrase(_ context: CommandContext) throws -> String {
        if let passphraseFile {
            guard let text = try? String(contentsOfFile: passphraseFile, encoding: .utf8),
                  let line = text.split(separator: "\n", omittingEmptySubsequences: false).first, !line.isEmpty else {
                throw CLIError.localFile("cannot read a passphrase from the first line of \(passphraseFile)")
            }
            return String(line)
        }
        guard context.console.isInputTerminal else { throw CLIError.usage("no terminal to ask for the passphrase: give --passphrase-file") }
        guard let first = context.console.readSecret("Passphrase for the recovery kit: "), first.count >= 12 else {
            throw CLIError.usage("the passphrase must have at least 12 characters")
        }
        guard context.console.readSecret("Again: ") == first else { throw CLIError.usage("the two passphrases differ") }
        return first
    }
}
