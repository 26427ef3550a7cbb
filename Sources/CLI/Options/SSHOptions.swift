import ArgumentParser
import Foundation

/// How `homelab devices add` and `uninstall` log in over SSH. The key or password goes to the
/// controller for this one session and is never stored there.
public struct SSHOptions: ParsableArguments, Sendable {
    /// SSH user.
    @Option(help: "SSH user (default root).")
    public var user: String?

    /// A private key file, read here and sent for this session.
    @Option(help: ArgumentHelp("Private key file (OpenSSH or PEM), read by this command and used for this session only.", valueName: "file"))
    public var key: String?

    /// Read the password from standard input.
    @Flag(help: "Read the SSH password from standard input (one line).")
    public var passwordStdin = false

    /// SSH port.
    @Option(help: "SSH port (default 22).")
    public var port: Int?

    /// Install through passwordless sudo.
    @Flag(help: "The user is not root: run the installation through 'sudo -n' (passwordless sudo).")
    public var sudo = false

    /// Fingerprints of unknown host keys the user accepts.
    @Option(name: .customLong("accept-host-key"), help: ArgumentHelp("Accept an unknown host key with this SHA256 fingerprint (repeatable with --from-scan).", valueName: "SHA256:…"))
    public var acceptHostKeys: [String] = []

    /// Creates the defaults.
    public init() {}

    /// Checks that at most one way to log in is given.
    public func validate() throws {
        if key != nil && passwordStdin { throw ValidationError("give --key or --password-stdin, not both") }
        if let port, !(1...65535).contains(port) { throw ValidationError("--port must be between 1 and 65535") }
    }

    /// The key's text or the password, read now.
    func credential(in context: CommandContext) throws(CLIError) -> (key: String?, password: String?) {
        if let key {
            guard let text = try? String(contentsOfFile: key, encoding: .utf8) else { throw CLIError.localFile("cannot read the key file \(key)") }
            return (text, nil)
        }
        if passwordStdin {
            guard let line = context.console.readLine(), !line.isEmpty else { throw CLIError.usage("--password-stdin: no password on standard input") }
            return (nil, line)
        }
        throw CLIError.usage("give --key FILE or --password-stdin")
    }
}
