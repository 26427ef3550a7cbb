import FoundationEssentials

/// One multicast discovery datagram: a small unsigned JSON object that says "I am here".
/// Announcements are hints, never trust: nothing in one is believed beyond choosing whom to dial.
public struct Announcement: Codable, Equatable, Sendable {
    /// Who announces.
    public enum Kind: String, Codable, Sendable {
        /// A device's agent.
        case agent
        /// The controller.
        case controller
    }

    /// Where an agent stands with a controller.
    public enum EnrollmentState: String, Codable, Sendable {
        /// Has no certificate and has not asked yet (or has no controller to ask).
        case unenrolled
        /// Asked to join without a token; waits for approval.
        case pending
        /// Holds a device certificate.
        case enrolled
    }

    /// Format version of the datagram (1).
    public var hl: Int
    /// Agent or controller.
    public var kind: Kind
    /// Device id (agents) or the CA fingerprint's first 32 hex digits (controller).
    public var id: String
    /// Host name of the sender.
    public var hostname: String
    /// Software version.
    public var version: String
    /// Machine architecture as `uname -m` prints it (agents).
    public var architecture: String?
    /// Enrollment state (agents).
    public var state: EnrollmentState?
    /// Whether the agent has a live session with a controller now (agents).
    public var linked: Bool?
    /// The device key's fingerprint, `SHA256:` + base64 (agents).
    public var keyFingerprint: String?
    /// The controller's agent port as `host:port`, the host being the address of the interface it was sent on (controller).
    public var agentAddress: String?
    /// SHA-256 of the controller CA certificate (DER), lowercase hex (controller).
    public var caFingerprint: String?

    /// An agent's announcement.
    public static func agent(id: String, hostname: String, version: String, architecture: String,
                             state: EnrollmentState, linked: Bool, keyFingerprint: String) -> Announcement {
        Announcement(hl: 1, kind: .agent, id: id, hostname: hostname, version: version, architecture: architecture,
                     state: state, linked: linked, keyFingerprint: keyFingerprint)
    }

    /// The controller's announcement.
    public static func controller(caFingerprint: String, hostname: String, version: String, agentAddress: String) -> Announcement {
        Announcement(hl: 1, kind: .controller, id: String(caFingerprint.prefix(32)), hostname: hostname, version: version,
                     agentAddress: agentAddress, caFingerprint: caFingerprint)
    }

    /// Creates an announcement.
    public init(hl: Int, kind: Kind, id: String, hostname: String, version: String, architecture: String? = nil,
                state: EnrollmentState? = nil, linked: Bool? = nil, keyFingerprint: String? = nil,
                agentAddress: String? = nil, caFingerprint: String? = nil) {
        self.hl = hl
        self.kind = kind
        self.id = id
        self.hostname = hostname
        self.version = version
        self.architecture = architecture
        self.state = state
        self.linked = linked
        self.keyFingerprint = keyFingerprint
        self.agentAddress = agentAddress
        self.caFingerprint = caFingerprint
    }

    private enum CodingKeys: String, CodingKey {
        case hl, kind, id, hostname, version, architecture = "arch", state, linked, keyFingerprint = "key"
        case agentAddress = "agent", caFingerprint = "ca"
    }
}

/// Why a datagram was not taken as an announcement.
public enum AnnouncementRejection: String, Error, Sendable, CaseIterable {
    /// Larger than ``AnnouncementCodec/maximumSize``.
    case oversized
    /// Not JSON, or not an announcement object.
    case malformed
    /// A format version this build does not read.
    case unsupportedVersion = "unsupported_version"
    /// A field is missing for its kind, too long, or holds characters it may not.
    case invalidField = "invalid_field"
}

/// Encodes and checks discovery datagrams.
public enum AnnouncementCodec {
    /// The administratively scoped group announcements go to.
    public static let defaultGroup = "239.255.70.77"
    /// The UDP port of the group.
    public static let defaultPort = 7445
    /// Largest datagram read as an announcement; a real one is about 300 bytes.
    public static let maximumSize = 1024

    /// The datagram for `announcement`: compact JSON with sorted keys.
    public static func encode(_ announcement: Announcement) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Every field is a string, number or boolean: encoding cannot fail.
        return (try? Array(encoder.encode(announcement))) ?? []
    }

    /// Reads a datagram, refusing anything oversized, malformed or with fields out of bounds.
    public static func decode(_ bytes: some Collection<UInt8>) throws(AnnouncementRejection) -> Announcement {
        guard bytes.count <= maximumSize else { throw .oversized }
        guard let version = try? JSONDecoder().decode(FormatVersion.self, from: Data(bytes)) else { throw .malformed }
        guard version.hl == 1 else { throw .unsupportedVersion }
        guard let announcement = try? JSONDecoder().decode(Announcement.self, from: Data(bytes)) else { throw .malformed }
        try validate(announcement)
        return announcement
    }

    private struct FormatVersion: Decodable { var hl: Int }

    private static func validate(_ announcement: Announcement) throws(AnnouncementRejection) {
        try check(announcement.id, limit: 64, allowed: Self.isIdentifier)
        try check(announcement.hostname, limit: 253, allowed: Self.isPrintable)
        try check(announcement.version, limit: 64, allowed: Self.isPrintable)
        switch announcement.kind {
        case .agent:
            guard let architecture = announcement.architecture, announcement.state != nil, announcement.linked != nil,
                  let key = announcement.keyFingerprint else { throw .invalidField }
            try check(architecture, limit: 32, allowed: Self.isIdentifier)
            try check(key, limit: 128, allowed: Self.isPrintable)
        case .controller:
            guard let address = announcement.agentAddress, let ca = announcement.caFingerprint,
                  ca.utf8.count == 64, ca.utf8.allSatisfy({ isHexDigit($0) }) else { throw .invalidField }
            try check(address, limit: 300, allowed: Self.isPrintable)
        }
    }

    private static func check(_ value: String, limit: Int, allowed: (UInt8) -> Bool) throws(AnnouncementRejection) {
        guard !value.isEmpty, value.utf8.count <= limit, value.utf8.allSatisfy(allowed) else { throw .invalidField }
    }

    private static func isIdentifier(_ byte: UInt8) -> Bool {
        isHexDigit(byte) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f"))
    }

    /// Printable ASCII or any byte of a UTF-8 sequence; no control characters.
    private static func isPrintable(_ byte: UInt8) -> Bool {
        byte >= 0x20 && byte != 0x7F
    }
}
