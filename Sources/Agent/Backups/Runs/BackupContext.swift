import Logging
import Protocol
import Restic

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// What every run on this device uses: the container engine, restic, the device's identity (its
/// certificate, presented to REST targets) and its state directory.
public struct BackupContext: Sendable {
    public let runtime: any ContainerRuntime
    public let identity: AgentIdentity
    public let stateDirectory: String
    /// The restic executable configured (`restic` setting), or nil to find it on `PATH`.
    public let resticPath: String?
    public let logger: Logger

    /// Creates a context.
    public init(runtime: any ContainerRuntime, identity: AgentIdentity, stateDirectory: String, resticPath: String?, logger: Logger) {
        self.runtime = runtime
        self.identity = identity
        self.stateDirectory = stateDirectory
        self.resticPath = resticPath
        self.logger = logger
    }

    /// restic, recording snapshots under `host`, stopped after `inactivity` without headway.
    func restic(host: String, inactivity: Int?) throws(HomelabError) -> Restic {
        let path = getenv("PATH").map { String(cString: $0) }
        guard let executable = Restic.locate(explicit: resticPath, searchPath: path) else {
            throw HomelabError(.resticMissing, resticPath.map { "restic is not at \($0) (the agent's 'restic' setting)" }
                ?? "restic is not installed on this device: install it (Debian, Raspberry Pi OS, Ubuntu: apt-get install restic) or set 'restic: /path/to/restic'")
        }
        return Restic(executable: executable, cacheDirectory: stateDirectory + "/backups/restic-cache", host: host,
                      inactivityLimit: .seconds(inactivity ?? 600))
    }

    /// How restic opens `access`: a REST target with this device's certificate and the pinned CA, or a folder here.
    func repository(_ access: RepositoryAccess) throws(HomelabError) -> ResticRepository {
        let label = "\(access.name) on \(access.target)"
        guard access.isRemote else { return ResticRepository(location: access.location, password: access.password, label: label) }
        guard let certificate = identity.certificatePEM, identity.caCertificatePEM != nil else {
            throw HomelabError(.unauthorized, "this device has no certificate yet: it cannot reach backup targets before it is enrolled")
        }
        // restic wants the certificate and its key in one file; the agent's PEM files end without a newline.
        let joined = certificate.trimmedNewlines + "\n" + identity.privateKey.pemRepresentation.trimmedNewlines + "\n"
        let file = stateDirectory + "/backups/client.pem"
        do {
            try StateFiles.makeDirectory(stateDirectory + "/backups", mode: 0o700)
            if SystemFiles.read(file) != joined { try StateFiles.write(joined, to: file, mode: 0o600) }
        } catch {
            throw HomelabError(.internal, "cannot write \(file): \(error.message)")
        }
        return ResticRepository(location: access.location, password: access.password, caCertificateFile: identity.directory + "/ca.pem",
                                clientCertificateFile: file, label: label)
    }
}

extension HomelabError {
    /// A restic failure as it crosses the wire: restic's code, and the message.
    init(_ error: ResticError) {
        self.init(Code(rawValue: error.code.rawValue), error.message)
    }
}

extension String {
    fileprivate var trimmedNewlines: String {
        var text = self
        while text.last == "\n" || text.last == "\r" { text.removeLast() }
        return text
    }
}
