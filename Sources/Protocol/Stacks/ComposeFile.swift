import FoundationEssentials

/// A stack as the compose file Compose v1 and v2 both read (`docker compose -f FILE config`):
/// JSON, which is YAML, keys sorted. v1 refuses a top-level `name`, so the project name moves to
/// `x-homelab-project` (Compose takes it from `-p` and the labels). Every `$` of a value is written
/// `$$`, since Compose would otherwise read it as a variable.
public struct ComposeFile: Encodable, Sendable {
    public var spec: StackSpec
    public init(_ spec: StackSpec) { self.spec = spec }

    enum CodingKeys: String, CodingKey {
        case services, networks, volumes
        case project = "x-homelab-project"
        case files = "x-homelab-files"
        case deployment = "x-homelab-deployment"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(spec.services, forKey: .services)
        try container.encodeIfPresent(spec.networks, forKey: .networks)
        try container.encodeIfPresent(spec.volumes, forKey: .volumes)
        try container.encode(spec.name, forKey: .project)
        try container.encodeIfPresent(spec.files, forKey: .files)
        try container.encodeIfPresent(spec.deployment, forKey: .deployment)
    }

    /// The file's bytes, ending with a newline.
    public static func bytes(of spec: StackSpec) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var out: [UInt8] = []
        // `$` occurs in JSON text only inside strings, so doubling every one escapes exactly the values.
        for byte in try encoder.encode(ComposeFile(spec)) {
            out.append(byte)
            if byte == UInt8(ascii: "$") { out.append(byte) }
        }
        out.append(UInt8(ascii: "\n"))
        return out
    }

    /// The file's text.
    public static func text(of spec: StackSpec) throws -> String {
        String(decoding: try bytes(of: spec), as: UTF8.self)
    }
}
