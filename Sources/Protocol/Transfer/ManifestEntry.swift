import FoundationEssentials

/// One entry of a volume manifest: what a file system object is, as both sides of a transfer see it.
/// A manifest lists every entry of a volume (its root `.` first, then depth first, names in byte
/// order), one JSON object per line (`docs/protocol.md`, "Volume manifests").
public struct ManifestEntry: Codable, Equatable, Sendable {
    /// The kinds of object a volume may hold and a transfer carries.
    public enum Kind: String, Codable, Sendable {
        case directory, file, symlink, fifo
    }

    /// The path below the volume's root, without a leading `./` (`.` is the root).
    public var path: String
    /// What it is.
    public var kind: Kind
    /// Permission bits, set-id and sticky bits included (`st_mode & 0o7777`).
    public var mode: UInt32
    /// Owner user id.
    public var uid: UInt32
    /// Owner group id.
    public var gid: UInt32
    /// A file's length in bytes (holes included); 0 for the other kinds.
    public var size: UInt64
    /// Modification time: whole seconds since 1970.
    public var mtime: Int64
    /// Modification time: the nanoseconds within the second.
    public var mtimeNanoseconds: UInt32
    /// A file's SHA-256 (64 lower-case hex digits), over its bytes with holes read as zeros.
    public var sha256: String?
    /// A symlink's target, as stored (never followed).
    public var target: String?
    /// For a file with more than one name: the first of its paths in manifest order, when that is not this one.
    public var link: String?
    /// Extended attributes (names, values in base64) of files and directories; absent when none.
    public var xattrs: [String: String]?

    /// Creates an entry.
    public init(path: String, kind: Kind, mode: UInt32, uid: UInt32, gid: UInt32, size: UInt64 = 0, mtime: Int64,
                mtimeNanoseconds: UInt32 = 0, sha256: String? = nil, target: String? = nil, link: String? = nil,
                xattrs: [String: String]? = nil) {
        self.path = path
        self.kind = kind
        self.mode = mode
        self.uid = uid
        self.gid = gid
        self.size = size
        self.mtime = mtime
        self.mtimeNanoseconds = mtimeNanoseconds
        self.sha256 = sha256
        self.target = target
        self.link = link
        self.xattrs = xattrs
    }

    /// The entry as one manifest line: compact JSON, keys sorted, `/` unescaped, then a line feed.
    public func line() throws -> [UInt8] {
        var bytes = try Self.encoder.encode(self)
        bytes.append(UInt8(ascii: "\n"))
        return Array(bytes)
    }

    /// Reads one manifest line (without its line feed); a line that is not an entry names the problem.
    public init(line: some Collection<UInt8>) throws {
        do {
            self = try JSONDecoder().decode(ManifestEntry.self, from: Data(line))
        } catch {
            throw HomelabError(.malformedMessage, "a manifest line is not an entry: \(WireCoding.describe(error))")
        }
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// How this entry differs from `other` at the same path, in words (nil when equal).
    public func difference(from other: ManifestEntry) -> String? {
        guard self != other else { return nil }
        if kind != other.kind { return "\(path): a \(other.kind.rawValue) instead of a \(kind.rawValue)" }
        var fields: [String] = []
        if sha256 != other.sha256 || size != other.size { fields.append("content") }
        if target != other.target { fields.append("link target") }
        if link != other.link { fields.append("hard links") }
        if mode != other.mode { fields.append("mode") }
        if uid != other.uid || gid != other.gid { fields.append("owner") }
        if mtime != other.mtime || mtimeNanoseconds != other.mtimeNanoseconds { fields.append("modification time") }
        if xattrs != other.xattrs { fields.append("extended attributes") }
        return "\(path): \(fields.joined(separator: ", ")) \(fields.count == 1 ? "differs" : "differ")"
    }
}

/// One volume as one side of a transfer saw it at the end: the manifest's size and digest.
public struct VolumeSummary: Codable, Equatable, Sendable {
    /// The volume.
    public var volume: String
    /// Entries in the manifest (the root included).
    public var entries: Int
    /// Bytes of file content (holes included, each hard-linked file once).
    public var bytes: UInt64
    /// SHA-256 (hex) of the manifest's lines: equal digests mean equal manifests.
    public var digest: String
    /// After a live (warm) copy: how the destination's copy differs from the source's manifest, when it does.
    public var differences: [String]?
    /// Creates a summary.
    public init(volume: String, entries: Int, bytes: UInt64, digest: String, differences: [String]? = nil) {
        self.volume = volume
        self.entries = entries
        self.bytes = bytes
        self.digest = digest
        self.differences = differences
    }
}
