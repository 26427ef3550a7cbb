import Controller
import Foundation
import Testing
@testable import CLI

@Suite("configuration")
struct ConfigTests {
    @Test("the config directory is $XDG_CONFIG_HOME/homelab, else ~/.config/homelab")
    func directory() {
        #expect(ConfigStore.defaultDirectory(environment: ["XDG_CONFIG_HOME": "/x/cfg", "HOME": "/home/a"]) == "/x/cfg/homelab")
        #expect(ConfigStore.defaultDirectory(environment: ["HOME": "/home/a"]) == "/home/a/.config/homelab")
        // The XDG spec says to ignore relative paths.
        #expect(ConfigStore.defaultDirectory(environment: ["XDG_CONFIG_HOME": "cfg", "HOME": "/home/a"]) == "/home/a/.config/homelab")
    }

    @Test("a flag beats the environment, which beats the config file, field by field")
    func precedence() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // A CA made the way the controller makes its own, at first start.
        _ = try CertificateAuthority.loadOrCreate(in: URL(fileURLWithPath: directory.path + "/pki"))
        let store = ConfigStore(directory: directory.path + "/homelab")
        let ca = try CACertificate(pemFile: directory.path + "/pki/ca.pem")
        try store.save(SavedLogin(url: "https://file:7443", token: "file-token"), caPEM: ca.pem)

        let fromFile = try ClientSettings.resolve(flags: ConnectionOverrides(), environment: [:], store: store)
        #expect(fromFile == ClientSettings(url: try ControllerURL(parsing: "https://file:7443"), token: "file-token", trust: .certificate(ca)))

        let environment = ["HOMELAB_URL": "https://env:7443", "HOMELAB_TOKEN": "env-token", "HOMELAB_CA": FingerprintTests.hex]
        let fromEnvironment = try ClientSettings.resolve(flags: ConnectionOverrides(), environment: environment, store: store)
        #expect(fromEnvironment.url.host == "env")
        #expect(fromEnvironment.token == "env-token")
        #expect(fromEnvironment.trust == .fingerprint(CAFingerprint(parsing: FingerprintTests.hex)!))

        let fromFlags = try ClientSettings.resolve(
            flags: ConnectionOverrides(url: "https://flag:7443", token: "flag-token", ca: "/etc/ca.pem"), environment: environment, store: store
        )
        #expect(fromFlags == ClientSettings(url: try ControllerURL(parsing: "https://flag:7443"), token: "flag-token", trust: .file("/etc/ca.pem")))

        let mixed = try ClientSettings.resolve(flags: ConnectionOverrides(token: "flag-token"), environment: ["HOMELAB_URL": "https://env:7443"], store: store)
        #expect(mixed == ClientSettings(url: try ControllerURL(parsing: "https://env:7443"), token: "flag-token", trust: .certificate(ca)))
    }

    @Test("empty environment values count as unset")
    func emptyEnvironment() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = ConfigStore(directory: directory.path)
        try directory.write("config.json", #"{"url": "https://file:7443", "token": "file-token"}"#)
        let settings = try ClientSettings.resolve(flags: ConnectionOverrides(), environment: ["HOMELAB_URL": "", "HOMELAB_TOKEN": " "], store: store)
        #expect(settings.url.host == "file")
        #expect(settings.token == "file-token")
    }

    @Test("without URL or token the command says to log in and exits 6")
    func notLoggedIn() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = ConfigStore(directory: directory.path + "/missing")
        for environment in [[:], ["HOMELAB_URL": "https://env:7443"], ["HOMELAB_TOKEN": "t"]] {
            do {
                _ = try ClientSettings.resolve(flags: ConnectionOverrides(), environment: environment, store: store)
                Issue.record("resolving should fail")
            } catch {
                #expect(error.exitCode == 6)
                #expect(error.message.contains("homelab login"))
            }
        }
    }

    @Test("without a saved or given CA the system trust store is used")
    func systemTrust() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let settings = try ClientSettings.resolve(
            flags: ConnectionOverrides(url: "https://x:1", token: "t"), environment: [:], store: ConfigStore(directory: directory.path)
        )
        #expect(settings.trust == .system)
    }

    @Test("the config directory is 0700 and its files 0600, even when the directory existed wider")
    func permissions() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let configDirectory = directory.path + "/homelab"
        try FileManager.default.createDirectory(atPath: configDirectory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o755])
        let store = ConfigStore(directory: configDirectory)
        try store.save(SavedLogin(url: "https://10.0.0.2:7443", token: "secret"), caPEM: "PEM\n")
        func mode(_ path: String) throws -> Int {
            (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
        }
        #expect(try mode(configDirectory) == 0o700)
        #expect(try mode(store.configPath) == 0o600)
        #expect(try mode(store.caPath) == 0o600)
        #expect(try store.loadLogin() == SavedLogin(url: "https://10.0.0.2:7443", token: "secret"))
        #expect(store.loadCAPEM() == "PEM\n")
        // Nothing but the two files is left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: configDirectory).sorted() == ["ca.pem", "config.json"])
    }

    @Test("a damaged config file is reported by path, not as a decoding error")
    func damaged() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("config.json", "{\"url\": 3}")
        do {
            _ = try ConfigStore(directory: directory.path).loadLogin()
            Issue.record("loading should fail")
        } catch {
            #expect(error.message.contains("config.json is damaged"))
            #expect(!error.message.contains("DecodingError"))
        }
    }
}
