import Crypto
import Foundation
import Protocol

/// The agent binaries the controller hands out (to the SSH bootstrap and `GET /v1/agent-binaries`):
/// `homelab-agent-linux-<arch>` files in one folder, as `make agent-binaries` leaves them in `dist/agents/`.
public struct AgentBinaries: Sendable {
    /// The folder they are read from.
    public let directory: URL

    /// Architectures as Docker names them, and the `uname -m` names that mean the same.
    static let aliases = ["amd64": "amd64", "x86_64": "amd64", "arm64": "arm64", "aarch64": "arm64",
                          "armv7": "armv7", "armv7l": "armv7", "armhf": "armv7"]

    /// Creates a catalog over `directory`.
    public init(directory: URL) {
        self.directory = directory
    }

    /// The binaries present, by architecture.
    public func list() throws -> [AgentBinaryResource] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return try names.sorted().compactMap { name in
            guard name.hasPrefix(Self.prefix), !name.hasSuffix(".sha256") else { return nil }
            let architecture = String(name.dropFirst(Self.prefix.count))
            guard Self.aliases[architecture] == architecture else { return nil }
            return try binary(for: architecture).resource
        }
    }

    /// The binary for `architecture` (Docker or `uname -m` name) and its description.
    public func binary(for architecture: String) throws -> (resource: AgentBinaryResource, contents: Data) {
        guard let canonical = Self.aliases[architecture] else {
            throw HomelabError.badRequest("unknown architecture '\(architecture)' (known: amd64, arm64, armv7, or x86_64, aarch64, armv7l)")
        }
        let url = directory.appendingPathComponent(Self.prefix + canonical)
        guard let contents = FileManager.default.contents(atPath: url.path) else {
            throw HomelabError.notFound("no agent binary for \(canonical) in \(directory.path): build it with 'make agent-binaries' and copy dist/agents/ there")
        }
        return (AgentBinaryResource(architecture: canonical, file: url.lastPathComponent, sizeBytes: UInt64(contents.count),
                                    sha256: Array(SHA256.hash(data: contents)).hexString), contents)
    }

    static let prefix = "homelab-agent-linux-"
}
