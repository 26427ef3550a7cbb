#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Protocol

/// What `homelab login` saves in `config.json`.
public struct SavedLogin: Codable, Equatable, Sendable {
    /// The controller URL as normalized at login.
    public var url: String
    /// The API token.
    public var token: String

    /// Creates a saved login.
    public init(url: String, token: String) {
        self.url = url
        self.token = token
    }
}

/// The CLI's config directory: `config.json` (URL and token) and `ca.pem` (the pinned controller CA).
public struct ConfigStore: Sendable {
    /// The directory (`$XDG_CONFIG_HOME/homelab`, by default `~/.config/homelab`).
    public var directory: String

    /// Creates a store over a directory.
    public init(directory: String) {
        self.directory = directory
    }

    /// The config directory for an environment: `$XDG_CONFIG_HOME/homelab`, else `$HOME/.config/homelab`.
    public static func defaultDirectory(environment: [String: String]) -> String {
        if let xdg = environment["XDG_CONFIG_HOME"], xdg.hasPrefix("/") {
            return xdg + "/homelab"
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.config/homelab"
    }

    /// Path of `config.json`.
    public var configPath: String { directory + "/config.json" }
    /// Path of `ca.pem`.
    public var caPath: String { directory + "/ca.pem" }

    /// The saved login, or `nil` when there is none.
    public func loadLogin() throws(CLIError) -> SavedLogin? {
        guard let data = FileManager.default.contents(atPath: configPath) else { return nil }
        do {
            return try JSONDecoder().decode(SavedLogin.self, from: data)
        } catch {
            throw .localFile("the config file \(configPath) is damaged (\(WireCoding.describe(error))); run homelab login again")
        }
    }

    /// The pinned CA certificate (PEM), or `nil` when none was saved.
    public func loadCAPEM() -> String? {
        FileManager.default.contents(atPath: caPath).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Saves a login and its CA: the directory is made 0700, both files 0600, each replaced atomically.
    public func save(_ login: SavedLogin, caPEM: String) throws(CLIError) {
        try makeDirectory()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let json: Data
        do { json = try encoder.encode(login) } catch { throw .localFile("cannot encode the config: \(error)") }
        try writePrivateFile(caPath, Data(caPEM.utf8))
        try writePrivateFile(configPath, json + Data("\n".utf8))
    }

    private func makeDirectory() throws(CLIError) {
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: nil)
            } catch {
                throw .localFile("cannot create the config directory \(directory): \(error.localizedDescription)")
            }
        } else if !isDirectory.boolValue {
            throw .localFile("cannot use \(directory) as the config directory: it is a file")
        }
        // The token and the trust anchor live here: nobody else may list or replace them.
        guard chmod(directory, 0o700) == 0 else {
            throw .localFile("cannot make \(directory) private: \(Self.errnoText())")
        }
    }

    private func writePrivateFile(_ path: String, _ data: Data) throws(CLIError) {
        let temporary = "\(path).tmp-\(getpid())"
        // Created 0600 from the start so the token is never readable by others, not even briefly.
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .localFile("cannot write \(path): \(Self.errnoText())") }
        var failure: String?
        data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = Self.errnoText()
                    return
                }
                offset += written
            }
        }
        if failure == nil, fchmod(fd, 0o600) != 0 || fsync(fd) != 0 { failure = Self.errnoText() }
        close(fd)
        if failure == nil, rename(temporary, path) != 0 { failure = Self.errnoText() }
        if let failure {
            unlink(temporary)
            throw .localFile("cannot write \(path): \(failure)")
        }
    }

    /// The system's text for the current `errno`.
    static func errnoText() -> String {
        String(cString: strerror(errno))
    }
}
