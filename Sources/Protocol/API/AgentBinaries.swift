/// An agent binary the controller can hand out (`GET /v1/agent-binaries`).
public struct AgentBinaryResource: Codable, Equatable, Sendable {
    /// `amd64`, `arm64` or `armv7`.
    public var architecture: String
    /// File name (`homelab-agent-linux-arm64`).
    public var file: String
    /// Size in bytes.
    public var sizeBytes: UInt64
    /// SHA-256 of the file, lowercase hex.
    public var sha256: String

    /// Creates a description.
    public init(architecture: String, file: String, sizeBytes: UInt64, sha256: String) {
        self.architecture = architecture
        self.file = file
        self.sizeBytes = sizeBytes
        self.sha256 = sha256
    }
}
