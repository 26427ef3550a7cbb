import Foundation
import Protocol
import Restic

/// restic on the controller's own machine, reaching a REST target as one of the controller's
/// identities (the prune identity): its certificate and key joined in a 0600 file for the call only.
struct ControllerRestic: Sendable {
    /// The controller's state directory (restic's cache, the CA, the file for the client certificate).
    let stateDirectory: URL
    /// The restic executable, or nil for `restic` on `PATH`.
    let executable: String?

    /// restic, with its cache in the state directory and this machine's name as its host.
    func restic() throws -> Restic {
        guard let path = Restic.locate(explicit: executable, searchPath: ProcessInfo.processInfo.environment["PATH"]) else {
            throw HomelabError(.resticMissing, "restic is not installed on the controller's machine (Debian: apt-get install restic)")
        }
        return Restic(executable: path, cacheDirectory: stateDirectory.appendingPathComponent("restic-cache").path, host: ProcessInfo.processInfo.hostName)
    }

    /// Runs `body` with restic and the repository of `access`, presenting `identity`.
    func with<T: Sendable>(_ access: RepositoryAccess, as identity: ControllerIdentity,
                           _ body: (Restic, ResticRepository) async throws -> T) async throws -> T {
        let restic = try restic()
        let client = stateDirectory.appendingPathComponent("\(identity.role)-client-\(UUID().uuidString.prefix(8)).pem")
        try SecureFile.write(identity.combinedPEM, to: client, mode: 0o600)
        defer { try? FileManager.default.removeItem(at: client) }
        let repository = ResticRepository(location: access.location, password: access.password,
                                          caCertificateFile: access.isRemote ? stateDirectory.appendingPathComponent("pki/ca.pem").path : nil,
                                          clientCertificateFile: access.isRemote ? client.path : nil, label: "\(access.name) on \(access.target)")
        do {
            return try await body(restic, repository)
        } catch let error as ResticError {
            throw HomelabError(HomelabError.Code(rawValue: error.code.rawValue), error.message)
        }
    }
}
